import type { Queryable } from '../platform/db.ts';

/**
 * Counts a run of a sweep as started when its last start is at least `periodMs` ago, and returns the database's time
 * of the start (the base of the next run's time); otherwise starts nothing and returns the last start.
 */
export async function recordSweepStart(db: Queryable, name: string, periodMs: number): Promise<{ started: true; at: Date } | { started: false; lastStartedAt: Date }> {
  // At most one start per period, whatever runs it: two jobs of one sweep can exist for a moment (a process starting
  // while the sweep's job runs in another makes a second one), and the second finds the period not over.
  const result = await db.query<{ last_started_at: Date }>(
    `INSERT INTO sweeps (name, runs, last_started_at) VALUES ($1, 1, now())
     ON CONFLICT (name) DO UPDATE SET runs = sweeps.runs + 1, last_started_at = now()
       WHERE sweeps.last_started_at IS NULL OR sweeps.last_started_at <= now() - $2::double precision * interval '1 millisecond'
     RETURNING last_started_at`,
    [name, periodMs],
  );
  if (result.rows[0]) return { started: true, at: result.rows[0].last_started_at };
  const last = await db.query<{ last_started_at: Date }>('SELECT last_started_at FROM sweeps WHERE name = $1', [name]);
  return { started: false, lastStartedAt: last.rows[0].last_started_at };
}

/** Records the end of a run of a sweep, counting it as a failure when it threw. */
export async function recordSweepEnd(db: Queryable, name: string, failed: boolean): Promise<void> {
  await db.query(
    `UPDATE sweeps SET last_finished_at = now(), failures = failures + CASE WHEN $2 THEN 1 ELSE 0 END WHERE name = $1`,
    [name, failed],
  );
}
