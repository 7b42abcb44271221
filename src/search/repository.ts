import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import type { SearchField, SearchResource } from './fields.ts';
import type { Condition, SearchPlan, Test } from './resolve.ts';

/**
 * Compiles a resolved search plan to one parameterised SQL statement and runs it. Every value of the query goes in
 * as a bind parameter, never into the SQL text; the SQL text holds only the constant column expressions below. Like
 * every other query, the statement is scoped to the caller's account and mode first.
 */

/** Stripe counts search results accurately up to 10,000; counting stops there, which bounds the cost of a count. */
export const searchTotalCountMax = 10_000;

interface SearchTable<R extends SearchResource> {
  /** A table of ours with seq, account_id and livemode columns. */
  table: string;
  /** Conditions every search of the resource adds (deleted customers are not found, as at Stripe). */
  fixed: string[];
  /** The SQL expression of each field over one row of the table. */
  columns: Record<SearchField<R>, string>;
}

const card = (name: string) => `(payment_method_details->'card'->>'${name}')`;
const cardNumber = (name: string) => `(CASE WHEN jsonb_typeof(payment_method_details->'card'->'${name}') = 'number' THEN (payment_method_details->'card'->'${name}')::numeric END)`;

const tables: { [R in SearchResource]: SearchTable<R> } = {
  customer: {
    table: 'customers',
    fixed: ['NOT deleted'],
    columns: { created: 'created', email: 'email', name: 'name', phone: 'phone' },
  },
  payment_intent: {
    table: 'payment_intents',
    fixed: [],
    columns: { amount: 'amount', created: 'created', currency: 'currency', customer: 'customer_id', status: 'status' },
  },
  charge: {
    table: 'charges',
    fixed: [],
    columns: {
      amount: 'amount',
      'billing_details.address.postal_code': "(payment_method_details->'billing_details'->'address'->>'postal_code')",
      created: 'created',
      currency: 'currency',
      customer: 'customer_id',
      // Set when a dispute opens on the charge (src/disputes/open.ts), as renderCharge shows it.
      disputed: 'disputed',
      'payment_method_details.card.brand': card('brand'),
      'payment_method_details.card.exp_month': cardNumber('exp_month'),
      'payment_method_details.card.exp_year': cardNumber('exp_year'),
      'payment_method_details.card.fingerprint': card('fingerprint'),
      'payment_method_details.card.last4': card('last4'),
      // The same rule as renderCharge's `refunded` (src/payments/render.ts reportedAmountRefunded): refunds plus a
      // released, uncaptured remainder cover the whole amount of a succeeded charge.
      refunded: "(status = 'succeeded' AND amount_refunded + CASE WHEN released THEN amount - amount_captured ELSE 0 END = amount)",
      status: 'status',
    },
  },
  product: {
    table: 'products',
    fixed: [],
    columns: { active: 'active', created: 'created', description: 'description', name: 'name', shippable: 'shippable', url: 'url' },
  },
  price: {
    table: 'prices',
    fixed: [],
    // Every Payrail price is one-time (renderPrice says the same).
    columns: { active: 'active', created: 'created', currency: 'currency', lookup_key: 'lookup_key', product: 'product_id', type: "'one_time'::text" },
  },
};

/** LIKE treats %, _ and the escape character specially; a substring search means them literally. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

class Statement {
  readonly values: unknown[] = [];

  bind(value: unknown, type: 'text' | 'bigint' | 'boolean'): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

function compileTest(statement: Statement, columns: Record<string, string>, test: Test): string {
  if (test.type === 'metadata') {
    if (test.value === null) return `NOT (metadata ? ${statement.bind(test.key, 'text')})`;
    // Containment (@>) rather than ->> so a GIN index on metadata can answer it.
    return `metadata @> jsonb_build_object(${statement.bind(test.key, 'text')}, ${statement.bind(test.value, 'text')})`;
  }
  const column = columns[test.field];
  switch (test.type) {
    case 'null': return `${column} IS NULL`;
    case 'compare': return `${column} ${test.operator} ${statement.bind(test.value, 'bigint')}`;
    case 'equals': return test.ignoreCase ? `lower(${column}) = lower(${statement.bind(test.value, 'text')})` : `${column} = ${statement.bind(test.value, 'text')}`;
    case 'contains': return `${column} ILIKE ${statement.bind(`%${likeLiteral(test.value)}%`, 'text')}`;
    case 'boolean': return `${column} = ${statement.bind(test.value, 'boolean')}`;
  }
}

function compileCondition(statement: Statement, columns: Record<string, string>, condition: Condition): string {
  const sql = compileTest(statement, columns, condition.test);
  // A negated clause matches where the clause is not true, so objects without the field (NULL) are found by `-field:"x"`.
  return condition.negated ? `(${sql}) IS NOT TRUE` : `(${sql})`;
}

function whereClause(statement: Statement, scope: Scope, plan: SearchPlan): { table: string; where: string } {
  const table = tables[plan.resource] as SearchTable<SearchResource>;
  const columns = table.columns as Record<string, string>;
  const scoped = [`account_id = ${statement.bind(scope.accountId, 'text')}`, `livemode = ${statement.bind(scope.livemode, 'boolean')}`, ...table.fixed];
  const conditions = plan.conditions.map((condition) => compileCondition(statement, columns, condition));
  const matched = `(${conditions.join(plan.combinator === 'or' ? ' OR ' : ' AND ')})`;
  return { table: table.table, where: [...scoped, matched].join(' AND ') };
}

/** The statement of one page of matches (exported so bench/search.ts can EXPLAIN exactly what runs). */
export function matchesStatement(scope: Scope, plan: SearchPlan, page: { limit: number; afterSequence?: number }): { text: string; values: unknown[] } {
  const statement = new Statement();
  const { table, where } = whereClause(statement, scope, plan);
  const after = page.afterSequence === undefined ? '' : ` AND seq < ${statement.bind(page.afterSequence, 'bigint')}`;
  const limit = statement.bind(page.limit + 1, 'bigint');
  return { text: `SELECT * FROM ${table} WHERE ${where}${after} ORDER BY seq DESC LIMIT ${limit}`, values: statement.values };
}

/**
 * One page of matches, newest first (by the table's `seq`, as lists are), after the row at `afterSequence` when
 * given. Returns up to `limit + 1` rows so the caller knows whether there are more.
 */
export async function findMatches<Row>(db: Queryable, scope: Scope, plan: SearchPlan, page: { limit: number; afterSequence?: number }): Promise<(Row & { seq: number })[]> {
  const statement = matchesStatement(scope, plan, page);
  const result = await db.query(statement.text, statement.values);
  return result.rows as (Row & { seq: number })[];
}

/** How many objects match, counted up to `searchTotalCountMax`. */
export async function countMatches(db: Queryable, scope: Scope, plan: SearchPlan): Promise<number> {
  const statement = new Statement();
  const { table, where } = whereClause(statement, scope, plan);
  const result = await db.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM (SELECT 1 FROM ${table} WHERE ${where} LIMIT ${statement.bind(searchTotalCountMax, 'bigint')}) matched`,
    statement.values,
  );
  return result.rows[0].total;
}
