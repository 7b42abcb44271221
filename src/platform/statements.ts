import type pg from 'pg';
import type { Queryable } from './db.ts';
import { prepared } from './db.ts';

/** A SQL statement with its own `$1..$n` parameters, built by a repository and run by a service. */
export interface Statement {
  text: string;
  values: unknown[];
  /**
   * Set by a writer whose statement takes only JSON rows parameters (`jsonRows`), with every gated part gated by
   * key: the group commit may merge it with other requests' statements of the same text into one, by joining their
   * rows, and hands each request the result rows whose `id` is its `key`.
   */
  merge?: { key: string };
  /**
   * Planned with its parameters at every run (an unnamed statement) rather than once per connection: set when its
   * best plan depends on how many rows it carries (JSON rows joined to a table, `= ANY` of an array), which a plan
   * cached for one row, or costed on empty tables, gets wrong. `combine` keeps it when any part has it. The group
   * commit runs mergeable statements named all the same, on connections whose generic plans cannot scan a table
   * (`hotPathConnectionSettings` in db.ts).
   */
  oneShot?: boolean;
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
  const combined: Statement = { text: `WITH ${clauses.join(',\n')}\n${final}`, values };
  if (parts.some(({ statement }) => statement.oneShot)) combined.oneShot = true;
  return combined;
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
  /**
   * With `onlyIfRowsIn`: the id of the row of that part this part's rows depend on (the intent a change is about).
   * Rows then carry it as their `gate` and are written only when that very row was returned, which keeps each
   * request's rows under its own compare-and-set when the group commit merges several requests into one statement.
   */
  gateKey?: string;
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

/** The node-postgres query of a statement: named (prepared once per connection) unless it is `oneShot`; with its merge key. */
export function queryOf(statement: Statement): MergeableQuery {
  const config: MergeableQuery = statement.oneShot ? { text: statement.text, values: statement.values } : prepared(statement.text, statement.values);
  if (statement.merge) config.merge = statement.merge;
  return config;
}

/** A query the group commit may merge with others of the same text (see `Statement.merge`); node-postgres ignores `merge`. */
export interface MergeableQuery extends pg.QueryConfig {
  merge?: { key: string };
}

export async function run<T = Record<string, unknown>>(db: Queryable, statement: Statement): Promise<T[]> {
  const result = await db.query(queryOf(statement));
  return result.rows as T[];
}

/** JSON text that goes into a JSON rows parameter as it is (an event's `data`, whose key order is the API's). */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * Rows as one JSON parameter: a JSON array of objects, read in SQL with `json_populate_record(NULL::table, e)` for
 * each element `e` of `json_array_elements($n::json)`, so the table's own column types apply (a JSON array becomes a
 * text[], an object a jsonb, a number a bigint). Buffers become bytea's hex text; `RawJson` is written as it is.
 * Statements whose every parameter is such an array can be merged by the group commit: one statement for the rows
 * of many requests (platform/group-commit.ts).
 */
export function jsonRows(rows: readonly Record<string, unknown>[]): string {
  return `[${rows.map(jsonRow).join(',')}]`;
}

function jsonRow(row: Record<string, unknown>): string {
  // Most rows hold neither raw JSON nor bytes: JSON.stringify writes them in one native pass (it skips undefined too).
  let plain = true;
  for (const key in row) {
    const value = row[key];
    if (value instanceof RawJson || Buffer.isBuffer(value)) {
      plain = false;
      break;
    }
  }
  if (plain) return JSON.stringify(row);
  const fields: string[] = [];
  for (const [key, value] of Object.entries(row)) {
    if (value === undefined) continue;
    fields.push(`${JSON.stringify(key)}:${jsonValue(value)}`);
  }
  return `{${fields.join(',')}}`;
}

function jsonValue(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Buffer.isBuffer(value)) return JSON.stringify(`\\x${value.toString('hex')}`);
  return JSON.stringify(value);
}

/**
 * The FROM of a part that reads rows from the JSON rows parameter `parameter` (e.g. `$1`) as `r` (typed as `table`),
 * each element also available as `e` and its position as `rows_in.n` (to keep the given order: a gate's semi-join
 * may not).
 */
export function jsonRowsFrom(parameter: string, table: string): string {
  return `json_array_elements(${parameter}::json) WITH ORDINALITY AS rows_in(e, n), json_populate_record(NULL::${partName(table)}, e) AS r`;
}

/**
 * The gate of a JSON-rows part, as a FROM item and a condition: ungated, every row; gated by `onlyIfRowsIn` alone,
 * all rows when that part returned any; with `gateKey`, only the rows whose `gate` field names a row that part
 * returned (its `id`), so one statement can carry many requests' rows, each under its own compare-and-set. The keyed
 * form is a join, not a subquery over the rows: when an UPDATE's target row was changed by a concurrent transaction,
 * PostgreSQL rechecks the conditions on the new row version (EvalPlanQual), and such a subquery then no longer
 * matches, so the update would be skipped as if its compare-and-set had failed.
 */
export function jsonRowsGate(options: PartOptions): { from: string; condition: string } {
  if (!options.onlyIfRowsIn) return { from: '', condition: 'true' };
  if (options.gateKey === undefined) return { from: '', condition: rowsIn(options.onlyIfRowsIn) };
  return { from: `, ${partName(options.onlyIfRowsIn)} AS gate_row`, condition: `gate_row.id = e->>'gate'` };
}

/**
 * The INSERT of `rows` into `table`'s `columns` from one JSON rows parameter, in order; a gated part's rows carry its
 * `gateKey` (see `jsonRowsGate`). `returning` is appended as is (e.g. `RETURNING *`).
 */
export function jsonRowsInsert(
  table: string,
  columns: readonly (string | readonly [column: string, expression: string])[],
  rows: readonly Record<string, unknown>[],
  options: PartOptions & { returning?: string } = {},
): Statement {
  const gated = options.gateKey !== undefined ? rows.map((row) => ({ ...row, gate: options.gateKey })) : rows;
  const names = columns.map((column) => partName(typeof column === 'string' ? column : column[0]));
  const expressions = columns.map((column) => (typeof column === 'string' ? `r.${partName(column)}` : column[1]));
  const gate = jsonRowsGate(options);
  return {
    text: `INSERT INTO ${partName(table)} (${names.join(', ')}) SELECT ${expressions.join(', ')} FROM ${jsonRowsFrom('$1', table)}${gate.from} WHERE ${gate.condition} ORDER BY rows_in.n${options.returning ? ` ${options.returning}` : ''}`,
    values: [jsonRows(gated)],
  };
}
