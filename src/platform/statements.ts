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

export async function run<T = Record<string, unknown>>(db: Queryable, statement: Statement): Promise<T[]> {
  const result = await db.query(prepared(statement.text, statement.values));
  return result.rows as T[];
}
