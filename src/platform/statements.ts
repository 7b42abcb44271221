import type { Queryable } from './db.ts';
import { prepared } from './db.ts';

/** A SQL statement with its own `$1..$n` parameters, built by a repository and run by a service. */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * Joins statements into one, as data-modifying common table expressions: `WITH name AS (statement), ... final`.
 * One statement is one round trip and is atomic on its own (no BEGIN/COMMIT needed), which matters on the payment
 * hot path. Later parts may refer to earlier ones by name (e.g. `WHERE EXISTS (SELECT 1 FROM intent)` to apply
 * only when a compare-and-set matched). Parameters are renumbered; statement texts are ours, never user input.
 */
export function combine(parts: { name: string; statement: Statement }[], final: string): Statement {
  const values: unknown[] = [];
  const clauses = parts.map(({ name, statement }) => {
    const offset = values.length;
    values.push(...statement.values);
    const text = statement.text.replace(/\$(\d+)/g, (_, index: string) => `$${Number(index) + offset}`);
    return `${name} AS (${text})`;
  });
  return { text: `WITH ${clauses.join(',\n')}\n${final}`, values };
}

/** A part of a `combine`d statement is named by a plain identifier: the name goes into the SQL text. */
function partName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`a statement part is named by a plain identifier, not ${JSON.stringify(name)}`);
  return name;
}

/**
 * The SQL condition "the earlier part `name` returned a row" (its compare-and-set matched), for statement builders
 * that take an `onlyIfRowsIn` option: repositories write it, callers only name the part.
 */
export function rowsIn(name: string): string {
  return `EXISTS (SELECT 1 FROM ${partName(name)})`;
}

/** For a statement that is one part of a `combine`d statement: it writes only when the part `onlyIfRowsIn` returned a row. */
export interface PartOptions {
  onlyIfRowsIn?: string;
}

/** A `combine` final query answering the rows of part `name` (e.g. the intent as written). */
export function rowsOf(name: string): string {
  return `SELECT * FROM ${partName(name)}`;
}

/** A `combine` final query answering nothing: every part runs to completion whether or not it is read. */
export const noRows = 'SELECT 1 WHERE false';

/**
 * A `combine` final query answering the rows of several parts, each row tagged with its `tag` in `column` (so a
 * batch's writer can tell whose row is whose), and with a boolean column per `flags` entry: whether that other part
 * returned a row (`true` when there is no such part to ask).
 */
export function taggedRowsOf(parts: readonly { tag: number; name: string; flags?: Record<string, string | true> }[], column: string): string {
  if (parts.length === 0) return `SELECT NULL::integer AS ${partName(column)} WHERE false`;
  return parts.map(({ tag, name, flags = {} }) => {
    const extras = Object.entries(flags).map(([as, part]) => `${part === true ? 'true' : rowsIn(part)} AS ${partName(as)}, `).join('');
    return `SELECT ${Number(tag)} AS ${partName(column)}, ${extras}* FROM ${partName(name)}`;
  }).join('\nUNION ALL\n');
}

export async function run<T = Record<string, unknown>>(db: Queryable, statement: Statement): Promise<T[]> {
  const result = await db.query(prepared(statement.text, statement.values));
  return result.rows as T[];
}
