-- Webhook delivery jobs leave graphile-worker's named queues, and the events trigger adds them in one call.
--
-- The delivery worker now fetches jobs in batches (graphile-worker's local queue). A batch fetch can take several jobs
-- of one named queue at once and run them side by side (graphile/worker#621, 0.17.3), so named queues no longer bound
-- how many deliveries go to one endpoint at a time; they only made every fetch and every completion lock and update
-- a queue row. The worker bounds each endpoint's requests itself now (connections per endpoint, src/webhooks/
-- endpoint-clients.ts). Jobs already queued with a queue name still run.
--
-- One graphile_worker.add_jobs call per statement that inserts events, instead of one add_job per delivery: the
-- events' transaction (the API's critical path) does one function call however many deliveries it queues.
-- graphile-worker's own migrations (which create graphile_worker.job_spec) run after Payrail's: the body is checked
-- when it first runs, not now.
SET LOCAL check_function_bodies = off;
CREATE OR REPLACE FUNCTION webhook_deliveries_for_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  specs graphile_worker.job_spec[];
BEGIN
  WITH queued AS (
    INSERT INTO webhook_deliveries (id, endpoint_id, event_id, account_id, livemode, status, queued_at)
    SELECT 'whd_' || replace(gen_random_uuid()::text, '-', ''), w.id, e.id, e.account_id, e.livemode, 'pending',
           (extract(epoch FROM clock_timestamp()) * 1000)::bigint
      FROM new_events e
      JOIN webhook_endpoints w ON w.account_id = e.account_id AND w.livemode = e.livemode AND w.status = 'enabled' AND NOT w.deleted
     WHERE '*' = ANY (w.enabled_events) OR e.type = ANY (w.enabled_events)
     ORDER BY e.seq
    RETURNING id
  )
  -- One job per delivery; the job key is the delivery id, so re-adding a job for a delivery (a retry) never makes two.
  SELECT array_agg(ROW('webhook_delivery', json_build_object('delivery', queued.id), NULL, NULL, NULL, queued.id, NULL, NULL)::graphile_worker.job_spec)
    INTO specs
    FROM queued;
  IF specs IS NOT NULL THEN
    PERFORM graphile_worker.add_jobs(specs);
  END IF;
  RETURN NULL;
END $$;
