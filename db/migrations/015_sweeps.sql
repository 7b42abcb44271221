-- The bookkeeping of the background sweeps (janitor, refund sweep, idempotency key purge, ledger jobs), which run as
-- graphile-worker jobs: how often each ran, and when it last started and finished. One row per sweep, updated in
-- place; it says whether the sweeps are running at all, and lets a test count runs across processes.
CREATE TABLE sweeps (
  name             text PRIMARY KEY,
  runs             bigint NOT NULL DEFAULT 0,
  failures         bigint NOT NULL DEFAULT 0,
  last_started_at  timestamptz,
  last_finished_at timestamptz
);
