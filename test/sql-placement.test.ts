import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repositoryRoot, sourceFiles } from './helpers/source-files.ts';

/**
 * SQL lives in repositories (`*repository*.ts`) and `src/platform/` only (issue 12): services decide, repositories
 * speak SQL, so a reader finds every query of a table next to it and a batched writer can reuse the statements.
 * The check looks for SQL in the code of every other source file, with comments left out.
 */
const sqlPatterns = [
  /\bSELECT\s+(\*|[a-z_]+(\.[a-z_]+)?\s*(,|FROM|AS)|1\b|NULL\b|COUNT\(|count\(|EXISTS)/,
  /\bINSERT\s+INTO\b/,
  /\bUPDATE\s+[a-z_]+\s+SET\b/,
  /\bDELETE\s+FROM\b/,
  /\.query\s*[<(]/,
  /\bEXISTS\s*\(\s*SELECT/,
  /[`'"]\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\s+[a-z_*(]/,
  /\bFROM\s+[a-z_]+(\s+[a-z])?\s+WHERE\b/,
];

/** The file's lines with block and line comments blanked (line numbers kept). */
function codeLines(text: string): string[] {
  const withoutBlocks = text.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '));
  return withoutBlocks.split('\n').map((line) => line.replace(/(^|[^:'"`])\/\/.*$/, '$1'));
}

export function sqlOutsideRepositories(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(path.join(repositoryRoot, 'src'))) {
    const relative = path.relative(repositoryRoot, file);
    if (relative.startsWith(`src${path.sep}platform${path.sep}`) || /repository[^/]*\.ts$/.test(relative)) continue;
    codeLines(fs.readFileSync(file, 'utf8')).forEach((line, index) => {
      if (sqlPatterns.some((pattern) => pattern.test(line))) found.push(`${relative}:${index + 1}: ${line.trim()}`);
    });
  }
  return found;
}

describe('SQL placement', () => {
  it('keeps SQL in repositories and src/platform/', () => {
    assert.deepEqual(sqlOutsideRepositories(), []);
  });

  it('would notice a query in a service', () => {
    const sample = codeLines("const rows = await db.query('SELECT * FROM charges WHERE id = $1', [id]); // not in a comment");
    assert.ok(sqlPatterns.some((pattern) => pattern.test(sample[0])));
    assert.equal(codeLines('// SELECT * FROM charges is only a comment')[0].trim(), '');
  });
});
