// No import cycles in src/, checked with dependency-cruiser (scripts/import-cycles.mjs, also `npm run check:cycles`).
// The check runs in a plain Node child process (see the script for why), over src/ and over a small fixture that has
// a cycle on purpose, to prove the tool resolves this project's `.ts` specifiers and `import type` edges rather than
// finding nothing because it understood nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(root, 'scripts', 'import-cycles.mjs');

interface ImportGraph {
  modules: Record<string, { imports: string[]; unresolved: string[] }>;
  cycles: string[][];
}

async function importGraph(baseDir: string, directories: string[]): Promise<ImportGraph> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const { stdout } = await promisify(execFile)(process.execPath, [script, '--json', '--base-dir', baseDir, ...directories], { cwd: root, env, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as ImportGraph;
}

describe('import cycles', () => {
  let fixture: string;
  before(() => {
    fixture = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-cycles-'));
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
      fs.writeFileSync(path.join(fixture, file), text);
    };
    // deps.ts -> registry.ts -> service.ts -> deps.ts, the last edge type-only: the shape of the cycle issue 12 named.
    write('src/deps.ts', "import { Registry } from './orchestration/registry.ts';\nexport interface Deps { registry: Registry; url: string }\n");
    write('src/orchestration/registry.ts', "import { connectionOf } from '../service.ts';\nexport class Registry { build(): string { return connectionOf('x'); } }\n");
    write('src/service.ts', "import type { Deps } from './deps.ts';\nexport function connectionOf(id: string, deps?: Pick<Deps, 'url'>): string { return `${deps?.url ?? ''}${id}`; }\n");
    // Not part of any cycle: imports a module of the cycle, and a constant module.
    write('src/route.ts', "import { connectionOf } from './service.ts';\nimport { limit } from './limits.ts';\nexport const answer = connectionOf(String(limit));\n");
    write('src/limits.ts', 'export const limit: number = 50;\n');
  });
  after(() => {
    fs.rmSync(fixture, { recursive: true, force: true });
  });

  it('finds a deliberately introduced cycle, through .ts specifiers and an import type', async () => {
    const graph = await importGraph(fixture, ['src']);
    assert.deepEqual(graph.modules['src/route.ts'].imports.sort(), ['src/limits.ts', 'src/service.ts']);
    assert.deepEqual(graph.modules['src/service.ts'].imports, ['src/deps.ts'], 'the type-only import is an edge');
    assert.deepEqual(graph.cycles, [['src/deps.ts', 'src/orchestration/registry.ts', 'src/service.ts']]);
  });

  it('src/ has no import cycles, and every local import resolves', async () => {
    const graph = await importGraph(root, ['src']);
    // The graph is real: a known edge of the composition root is in it.
    assert.ok(graph.modules['src/dependencies.ts'].imports.includes('src/orchestration/registry.ts'));
    assert.ok(Object.keys(graph.modules).length > 100, `cruised ${Object.keys(graph.modules).length} modules`);
    const unresolved = Object.entries(graph.modules).flatMap(([source, module]) => module.unresolved.map((specifier) => `${source}: ${specifier}`));
    assert.deepEqual(unresolved, []);
    assert.deepEqual(graph.cycles.map((cycle) => [...cycle, cycle[0]].join(' -> ')), []);
  });
});
