-- Connect webhook endpoints, as Stripe's: an endpoint created with connect=true receives the events of the platform's
-- connected accounts (each carries `account`: the connected account), and not the platform's own; an endpoint without
-- it receives only its own account's events, as before. Deliveries keep the event's account (they are found with
-- their event by it); the endpoint names whose they are.
ALTER TABLE webhook_endpoints ADD COLUMN connect boolean NOT NULL DEFAULT false;

-- graphile-worker's own migrations run after Payrail's: the body is checked when it first runs, not now.
SET LOCAL check_function_bodies = off;
CREATE OR REPLACE FUNCTION webhook_deliveries_for_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  specs graphile_worker.job_spec[];
BEGIN
  WITH targets AS (
    -- The account's own endpoints.
    SELECT e.seq, e.id AS event_id, e.account_id, e.livemode, w.id AS endpoint_id
      FROM new_events e
      JOIN webhook_endpoints w ON w.account_id = e.account_id AND w.livemode = e.livemode AND w.status = 'enabled' AND NOT w.deleted AND NOT w.connect
     WHERE '*' = ANY (w.enabled_events) OR e.type = ANY (w.enabled_events)
    UNION ALL
    -- The Connect endpoints of the platform, for an event of one of its connected accounts (one primary-key probe
    -- per event: an account that is nobody's connected account finds no row).
    SELECT e.seq, e.id, e.account_id, e.livemode, w.id
      FROM new_events e
      JOIN connected_accounts c ON c.id = e.account_id AND c.livemode = e.livemode
      JOIN webhook_endpoints w ON w.account_id = c.account_id AND w.livemode = e.livemode AND w.status = 'enabled' AND NOT w.deleted AND w.connect
     WHERE '*' = ANY (w.enabled_events) OR e.type = ANY (w.enabled_events)
  ), queued AS (
    INSERT INTO webhook_deliveries (id, endpoint_id, event_id, account_id, livemode, status, queued_at)
    SELECT 'whd_' || replace(gen_random_uuid()::text, '-', ''), t.endpoint_id, t.event_id, t.account_id, t.livemode, 'pending',
           (extract(epoch FROM clock_timestamp()) * 1000)::bigint
      FROM targets t
     ORDER BY t.seq
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
