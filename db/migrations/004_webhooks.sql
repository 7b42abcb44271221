-- Webhooks: endpoints, deliveries (one per event and endpoint, the durable record of what must be sent) and
-- attempts (one per HTTP try).
--
-- A delivery is queued in the same transaction as its event: a statement-level trigger on `events` inserts the
-- deliveries of every matching enabled endpoint and adds a graphile-worker job for each (graphile_worker.add_job,
-- installed by the worker's own migrations, which Payrail runs right after these). Nothing in the payment code has to
-- remember to enqueue, and a crash at any moment leaves either the event with its deliveries and jobs, or neither.

CREATE TABLE webhook_endpoints (
  seq                         bigserial NOT NULL,
  id                          text PRIMARY KEY,
  account_id                  text NOT NULL,
  livemode                    boolean NOT NULL,
  url                         text NOT NULL,
  description                 text,
  enabled_events              text[] NOT NULL,
  status                      text NOT NULL CHECK (status IN ('enabled', 'disabled')),
  -- Why a disabled endpoint was disabled: 'requested' (by the API) or 'failing' (failed continuously too long).
  disabled_reason             text,
  api_version                 text,
  -- AES-256-GCM ciphertexts of the signing secrets (whsec_...). During a rotation's overlap both are used to sign.
  secret_encrypted            bytea NOT NULL,
  previous_secret_encrypted   bytea,
  previous_secret_expires_at  bigint,
  -- Start of the current run of failed deliveries (null after a success): the endpoint is disabled when it has failed
  -- continuously for the configured period.
  failing_since               bigint,
  metadata                    jsonb NOT NULL DEFAULT '{}',
  deleted                     boolean NOT NULL DEFAULT false,
  created                     bigint NOT NULL
);
CREATE INDEX webhook_endpoints_list ON webhook_endpoints (account_id, livemode, seq DESC) WHERE NOT deleted;
-- What the events trigger looks up for every event: usually nothing, through this small partial index.
CREATE INDEX webhook_endpoints_enabled ON webhook_endpoints (account_id, livemode) WHERE status = 'enabled' AND NOT deleted;

CREATE TABLE webhook_deliveries (
  seq            bigserial NOT NULL,
  id             text PRIMARY KEY,
  endpoint_id    text NOT NULL,
  event_id       text NOT NULL,
  account_id     text NOT NULL,
  livemode       boolean NOT NULL,
  status         text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'canceled')),
  attempt_count  integer NOT NULL DEFAULT 0,
  -- Unix milliseconds: when the delivery was queued, when it was first tried, and when it ended.
  queued_at      bigint NOT NULL,
  first_attempt_at bigint,
  completed_at   bigint
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, seq DESC);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (queued_at) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
  seq               bigserial NOT NULL,
  id                text PRIMARY KEY,
  delivery_id       text NOT NULL,
  endpoint_id       text NOT NULL,
  event_id          text NOT NULL,
  account_id        text NOT NULL,
  livemode          boolean NOT NULL,
  -- Unix milliseconds when the request started; latency until the response headers (or the failure).
  attempted_at      bigint NOT NULL,
  latency_ms        integer NOT NULL,
  status_code       integer,
  succeeded         boolean NOT NULL,
  -- The first bytes of the response body (capped), or why there was no response.
  response_excerpt  text,
  error             text
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, seq DESC);
CREATE INDEX webhook_attempts_event ON webhook_attempts (event_id, seq DESC);

-- Deliveries to one endpoint run in `webhook_queues_per_endpoint` graphile-worker named queues (a named queue runs
-- one job at a time), chosen by the delivery id: at most that many deliveries to an endpoint are in flight at once,
-- so one slow receiver cannot take every worker, while a busy endpoint still gets deliveries back to back.
CREATE FUNCTION webhook_queue_name(endpoint_id text, delivery_id text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT 'webhooks:' || endpoint_id || ':' || (abs(hashtext(delivery_id)::bigint) % 4)::text
$$;

CREATE FUNCTION webhook_deliveries_for_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  queued record;
BEGIN
  FOR queued IN
    INSERT INTO webhook_deliveries (id, endpoint_id, event_id, account_id, livemode, status, queued_at)
    SELECT 'whd_' || replace(gen_random_uuid()::text, '-', ''), w.id, e.id, e.account_id, e.livemode, 'pending',
           (extract(epoch FROM clock_timestamp()) * 1000)::bigint
      FROM new_events e
      JOIN webhook_endpoints w ON w.account_id = e.account_id AND w.livemode = e.livemode AND w.status = 'enabled' AND NOT w.deleted
     WHERE '*' = ANY (w.enabled_events) OR e.type = ANY (w.enabled_events)
     ORDER BY e.seq
    RETURNING id, endpoint_id
  LOOP
    -- One job per delivery, in one of its endpoint's queues (the per-endpoint concurrency limit). The job key is the
    -- delivery id, so re-adding a job for a delivery (a retry) never makes two.
    PERFORM graphile_worker.add_job('webhook_delivery', json_build_object('delivery', queued.id), queue_name := webhook_queue_name(queued.endpoint_id, queued.id), job_key := queued.id);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER events_webhook_deliveries AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_for_events();

-- Stored idempotent responses can hold secrets that are shown once (a new endpoint's signing secret, a PaymentIntent's
-- client secret): from now on they are stored AES-256-GCM encrypted, bound to their account, mode and key.
ALTER TABLE idempotency_keys ADD COLUMN response_encrypted bytea;
