import type { Queryable } from '../platform/db.ts';

/** Counts a run of a sweep as started; returns the database's time of the start (the base of the next run's time). */
export async function recordSweepStart(db: Queryable, name: string): Promise<Date> {
  const result = await db.query<{ last_started_at: Date }>(
    `INSERT INTO sweeps (name, runs, last_started_at) VALUES ($1, 1, now())
     ON CONFLICT (name) DO UPDATE SET runs = sweeps.runs + 1, last_started_at = now()
     RETURNING last_started_at`,
    [name],
  );
  return result.rows[0].last_started_at;
}

/** Records the end of a run of a sweep, counting it as a failure when it threw. */
export async function recordSweepEnd(db: Queryable, name: string, failed: boolean): Promise<void> {
  await db.query(
    `UPDATE sweeps SET last_finished_at = now(), failures = failures + CASE WHEN $2 THEN 1 ELSE 0 END WHERE name = $1`,
    [name, failed],
  );
}
