#!/usr/bin/env node
// Finds import cycles with dependency-cruiser: `npm run check:cycles` (exits 1 on any cycle or unresolved local
// import, listing each); test/import-cycles.test.ts runs it as part of `npm test`, so CI fails on a cycle.
//
//   node scripts/import-cycles.mjs [--base-dir DIR] [--json] [directories...]   (default: src)
//
// dependency-cruiser parses TypeScript with a compiler it finds in node_modules. This project's `typescript` (7, the
// native compiler) has no JavaScript API, so the parser is swc (@swc/core). Type-only imports count: a cycle through
// `import type` still ties modules that cannot then be understood, moved or tested apart.
// Plain JavaScript run by plain Node on purpose: under the tsx loader, dependency-cruiser's import of swc's Visitor
// class resolves to the wrong export and every TypeScript file fails to parse.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Cruises `directories` (relative to `baseDir`): every local module with its resolved local imports and unresolved
 * specifiers, and each cycle once, as the modules along it starting from the alphabetically first.
 */
export async function importGraph(directories, baseDir = projectRoot) {
  const result = await cruise(directories, {
    baseDir,
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  });
  const modules = {};
  const seen = new Set();
  const cycles = [];
  for (const module of result.output.modules) {
    if (module.coreModule || module.followable === false) continue;
    const local = module.dependencies.filter((dependency) => dependency.dependencyTypes.includes('local') || dependency.couldNotResolve);
    modules[module.source] = {
      imports: local.filter((dependency) => !dependency.couldNotResolve).map((dependency) => dependency.resolved),
      unresolved: local.filter((dependency) => dependency.couldNotResolve).map((dependency) => dependency.module),
    };
    for (const dependency of module.dependencies) {
      if (!dependency.circular || !dependency.cycle) continue;
      const names = dependency.cycle.map((step) => step.name);
      const first = names.indexOf([...names].sort()[0]);
      const canonical = [...names.slice(first), ...names.slice(0, first)];
      const key = canonical.join(' -> ');
      if (!seen.has(key)) {
        seen.add(key);
        cycles.push(canonical);
      }
    }
  }
  return { modules, cycles };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let baseDir = projectRoot;
  let json = false;
  const directories = [];
  for (let index = 0; index < args.length; index++) {
    if (args[index] === '--json') json = true;
    else if (args[index] === '--base-dir') baseDir = path.resolve(args[++index]);
    else directories.push(args[index]);
  }
  if (directories.length === 0) directories.push('src');
  const graph = await importGraph(directories, baseDir);
  const unresolved = Object.entries(graph.modules).flatMap(([source, module]) => module.unresolved.map((specifier) => `${source}: ${specifier}`));
  if (json) {
    process.stdout.write(JSON.stringify(graph));
  } else {
    for (const line of unresolved) console.error(`unresolved import ${line}`);
    for (const cycle of graph.cycles) console.error(`import cycle: ${[...cycle, cycle[0]].join(' -> ')}`);
    console.log(`${Object.keys(graph.modules).length} modules in ${directories.join(', ')}: ${graph.cycles.length} import cycles, ${unresolved.length} unresolved imports`);
    process.exitCode = graph.cycles.length > 0 || unresolved.length > 0 ? 1 : 0;
  }
}
