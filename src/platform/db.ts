import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger, runMigrations } from 'graphile-worker';
import pg from 'pg';

// BIGINT columns hold money and counters; all of ours stay far below 2^53, so they are read as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** Anything with node-postgres's `query`, such as a step's connection through the group commit (group-commit.ts). */
export interface QueryOnly {
  query: pg.Pool['query'];
}

export type Queryable = pg.Pool | pg.PoolClient | QueryOnly;

const statementNames = new Map<string, string>();

/**
 * A named (server-side prepared) statement for a hot query: Postgres parses and plans it once per connection
 * instead of on every call. The name derives from the text, so one name never stands for two statements.
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `s${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}
export type Database = pg.Pool;

/**
 * Creates the database `name` on the server of `serverUrl` unless it exists (another process may create it at the
 * same moment), and returns the connection string of that database.
 */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${name}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created concurrently by another process
      });
    }
  } finally {
    await client.end();
  }
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** How long a statement may wait for a row lock held by a concurrent request before it gets `lock_timeout`. */
export const lockWaitTimeoutMs = 10_000;
/** Upper bound on any single statement. */
export const statementTimeoutMs = 30_000;

export function createPool(url: string, size: number): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    idleTimeoutMillis: 30_000,
    options: `-c lock_timeout=${lockWaitTimeoutMs} -c statement_timeout=${statementTimeoutMs}`,
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Errors of a checked-out client surface through its queries; this keeps a dropped idle connection from crashing us.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * The settings of the group commit's own connections (platform/group-commit.ts), which run the payment hot path's
 * statements: every statement there reaches its rows through a primary key, so its plan is the same whatever the
 * parameters and the statistics. `plan_cache_mode=force_generic_plan` plans each named statement once per
 * connection (planning a set-based statement cost 0.4-1.2 ms, as much as running it for one row), and
 * `enable_seqscan=off` keeps those plans off sequential scans even when they are made on empty, never analyzed
 * tables (where a scan is cheapest and the plan would be kept until the next ANALYZE).
 */
export const hotPathConnectionSettings = '-c plan_cache_mode=force_generic_plan -c enable_seqscan=off';

/** A pool of `size` connections to `pool`'s database with the hot path's settings; idle, it lets the process exit. */
export function createHotPathPool(pool: Database, size: number): Database {
  const hotPath = new pg.Pool({ ...pool.options, max: size, allowExitOnIdle: true, options: `${pool.options.options ?? ''} ${hotPathConnectionSettings}`.trim() });
  hotPath.on('error', () => undefined);
  hotPath.on('connect', (client) => client.on('error', () => undefined));
  return hotPath;
}

/**
 * Runs `work` inside one database transaction (READ COMMITTED; callers lock what they change with FOR UPDATE).
 * Commits when it resolves and rolls back when it throws. `snapshot` runs it read-only in one REPEATABLE READ
 * snapshot with no statement timeout (long consistent reads such as `ledger verify`).
 */
export async function inTransaction<T>(pool: Database, work: (client: pg.PoolClient) => Promise<T>, options: { snapshot?: boolean } = {}): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(options.snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
    if (options.snapshot) await client.query('SET LOCAL statement_timeout = 0');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Runs `work` on one pooled connection without opening a transaction. */
export async function withClient<T>(pool: Database, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

const migrationsDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations');

/** Applies the numbered SQL files in db/migrations that have not run yet, each in its own transaction. */
export async function migrate(pool: Database): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    // One migrator at a time, even when several processes start together.
    await client.query('SELECT pg_advisory_lock(7243001)');
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((row) => row.name));
    const files = fs.readdirSync(migrationsDirectory).filter((name) => /^\d+_.+\.sql$/.test(name)).sort();
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = fs.readFileSync(path.join(migrationsDirectory, file), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(error as Error).message}`);
      }
      applied.push(file);
    }
    // The job queue's own schema (graphile_worker), which webhook deliveries are queued in by a trigger on events:
    // installed and upgraded by the library's migrations, under the same lock.
    await runMigrations({ pgPool: pool, logger: quietLogger });
  } finally {
    await client.query('SELECT pg_advisory_unlock(7243001)').catch(() => undefined);
    client.release();
  }
  return applied;
}

/** graphile-worker logs through this: warnings and errors only (its debug and info lines are per job). */
export const quietLogger = new Logger((scope) => (level, message) => {
  if (level === 'error' || level === 'warning') console.error(`[payrail] job queue ${level}: ${message}${scope.label ? ` (${scope.label})` : ''}`);
});
