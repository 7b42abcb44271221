import fs from 'node:fs';
import pg from 'pg';

/**
 * What a stretch of load costs, read before and after it: CPU seconds of Payrail's process, of the PostgreSQL
 * server (the postmaster, its live backends and the children it has reaped) and of the load generator (this
 * process), from /proc; commits, WAL bytes and rows from the database's own statistics; statements from
 * pg_stat_statements when the server has it loaded. Divided by the payments made, these are the per-payment costs
 * issue 13 is measured by.
 */

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on Linux). */
const ticksPerSecond = 100;

/** A process's CPU seconds (user + system); with `children`, also those of its reaped children. */
function processCpuSeconds(pid: number, children = false): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = [fields[11], fields[12], fields[13], fields[14]].map(Number);
    return (utime + stime + (children ? cutime + cstime : 0)) / ticksPerSecond;
  } catch {
    return 0; // the process ended in between
  }
}

/** The pids of `parent`'s live children. */
function childrenOf(parent: number): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parentPid === parent) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** A PostgreSQL server's CPU seconds: the postmaster with its reaped children, and every live backend and helper. */
function postgresCpuSeconds(postmasterPid: number): number {
  return processCpuSeconds(postmasterPid, true) + childrenOf(postmasterPid).reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
}

export interface CostSnapshot {
  payrailCpu: number;
  postgresCpu: number | null;
  loadCpu: number;
  commits: number;
  rollbacks: number;
  walBytes: number | null;
  inserted: number;
  updated: number;
  statements: number | null;
}

export interface CostProbe {
  snapshot(): Promise<CostSnapshot>;
  /** With pg_stat_statements: the statements that took the database's time, most first, as printable lines. */
  topStatements(limit: number): Promise<string[]>;
  close(): Promise<void>;
}

/** Reads costs of Payrail (`payrailPid`) and its database (`databaseUrl`; `postmasterPid` when it runs on this machine). */
export async function openCostProbe(databaseUrl: string, payrailPid: number, postmasterPid: number | undefined): Promise<CostProbe> {
  const client = new pg.Client({ connectionString: databaseUrl });
  // A server going away at the end of a failed run must not hide that run's own error.
  client.on('error', () => undefined);
  await client.connect();
  // pg_stat_statements counts statements when the server loaded it (BENCH_STATEMENTS=1 asks Payrail's embedded server
  // to); its view needs the extension in this database.
  const loaded = (await client.query<{ libraries: string }>("SELECT current_setting('shared_preload_libraries') AS libraries")).rows[0].libraries.includes('pg_stat_statements');
  if (loaded) await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const hasStatements = loaded;
  return {
    async snapshot() {
      // Statistics are flushed by backends at most once a second (and at commit when idle); pg_stat_force_next_flush
      // (PostgreSQL 15+) covers this session only, so a snapshot is taken after the load has settled for a moment.
      const database = (await client.query<{ commits: string; rollbacks: string; inserted: string; updated: string }>(
        `SELECT xact_commit AS commits, xact_rollback AS rollbacks, tup_inserted AS inserted, tup_updated AS updated
           FROM pg_stat_database WHERE datname = current_database()`,
      )).rows[0];
      let walBytes: number | null = null;
      try {
        walBytes = Number((await client.query<{ bytes: string }>('SELECT wal_bytes AS bytes FROM pg_stat_wal')).rows[0].bytes);
      } catch {
        walBytes = null; // before PostgreSQL 14
      }
      const statements = hasStatements
        ? Number((await client.query<{ calls: string }>('SELECT COALESCE(sum(calls), 0) AS calls FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())')).rows[0].calls)
        : null;
      return {
        payrailCpu: processCpuSeconds(payrailPid),
        postgresCpu: postmasterPid === undefined ? null : postgresCpuSeconds(postmasterPid),
        // This process and the load generators it ran and reaped (wrk).
        loadCpu: processCpuSeconds(process.pid, true),
        commits: Number(database.commits),
        rollbacks: Number(database.rollbacks),
        walBytes,
        inserted: Number(database.inserted),
        updated: Number(database.updated),
        statements,
      };
    },
    async topStatements(limit) {
      if (!hasStatements) return [];
      const rows = (await client.query<{ calls: string; total: number; mean: number; plan: number; rows: string; query: string }>(
        `SELECT calls, total_exec_time AS total, mean_exec_time AS mean, total_plan_time AS plan, rows, query FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT $1`,
        [limit],
      )).rows;
      return rows.map((row) => `  ${row.total.toFixed(0).padStart(7)} ms  ${Number(row.calls).toString().padStart(7)} calls  ${row.mean.toFixed(3).padStart(8)} ms each  (planning ${(row.plan / Math.max(1, Number(row.calls))).toFixed(3)} ms each)  ${row.query.replace(/\s+/g, ' ').slice(0, 160)}`);
    },
    close: () => client.end(),
  };
}

/** Per-payment costs between two snapshots, as printable lines. */
export function describeCosts(before: CostSnapshot, after: CostSnapshot, payments: number): string[] {
  const per = (value: number) => value / Math.max(1, payments);
  const ms = (seconds: number) => `${(per(seconds) * 1000).toFixed(2)} ms`;
  const postgres = after.postgresCpu !== null && before.postgresCpu !== null ? after.postgresCpu - before.postgresCpu : null;
  const payrail = after.payrailCpu - before.payrailCpu;
  const lines = [
    `  CPU per payment    Node ${ms(payrail)}, Postgres ${postgres === null ? 'n/a (server not on this machine)' : ms(postgres)}` +
      `${postgres === null ? '' : `, together ${ms(payrail + postgres)}`} (load generator ${ms(after.loadCpu - before.loadCpu)}, not counted)`,
    `  per payment        ${per(after.commits - before.commits).toFixed(2)} commits, ` +
      `${after.statements === null || before.statements === null ? 'statements n/a (BENCH_STATEMENTS=1 counts them)' : `${per(after.statements - before.statements).toFixed(1)} statements (with BEGIN and COMMIT)`}, ` +
      `${after.walBytes === null || before.walBytes === null ? 'WAL n/a' : `${(per(after.walBytes - before.walBytes) / 1024).toFixed(1)} KB WAL`}, ` +
      `${per(after.inserted - before.inserted).toFixed(1)} rows inserted, ${per(after.updated - before.updated).toFixed(1)} updated`,
  ];
  return lines;
}
