-- Payment orchestration: routing profiles, per-connector payment attempts, provider webhook deduplication, and the
-- first payment method that is not a card (PayPal, a redirect wallet).

-- A PayPal PaymentMethod has no card: the buyer pays on PayPal. `wallet` holds what the wallet tells us about the
-- payer once known (PayPal's payer id and e-mail); a card keeps its number encrypted as before.
ALTER TABLE payment_methods ALTER COLUMN card DROP NOT NULL;
ALTER TABLE payment_methods ALTER COLUMN card_number_encrypted DROP NOT NULL;
ALTER TABLE payment_methods ADD COLUMN wallet jsonb;
ALTER TABLE payment_methods ADD CONSTRAINT payment_methods_type_data CHECK (
  (type = 'card' AND card IS NOT NULL AND card_number_encrypted IS NOT NULL)
  OR (type <> 'card' AND card IS NULL AND card_number_encrypted IS NULL)
);

-- Which routing an account uses per mode (a Payrail extension, /v1/payrail/routing_profile). Without a row the
-- defaults apply (see src/routing/profile.ts). `rules` and `failover` are validated by the API before they are stored.
CREATE TABLE routing_profiles (
  account_id        text NOT NULL,
  livemode          boolean NOT NULL,
  strategy          text NOT NULL CHECK (strategy IN ('priority', 'success_rate', 'lowest_cost')),
  -- Share of payments routed to a connector other than the best, to keep measuring the others (basis points).
  exploration_bps   integer NOT NULL CHECK (exploration_bps BETWEEN 0 AND 10000),
  rules             jsonb NOT NULL DEFAULT '[]',
  failover          jsonb NOT NULL,
  created           bigint NOT NULL,
  updated           bigint NOT NULL,
  PRIMARY KEY (account_id, livemode)
);

-- A charge is the customer-visible attempt; the connector that finally answered it, and the routing decision, are
-- kept on it (shown as the `payrail_routing` extension field). Null connector columns: charges from before routing,
-- processed by the built-in test processor.
ALTER TABLE charges ADD COLUMN connector text;
ALTER TABLE charges ADD COLUMN connector_configuration_id text;
-- The payment attempt whose authorization the charge holds: its id is the provider-side reference for captures and voids.
ALTER TABLE charges ADD COLUMN attempt_id text;
ALTER TABLE charges ADD COLUMN routing jsonb;

-- One try of one connector for a charge. A charge has 1..n attempts in cascade order; only the last may have
-- authorized (failover happens only after a definite non-authorization). The attempt id is the idempotency key and
-- merchant reference sent to the provider, so a retried or synced call never authorizes twice.
CREATE TABLE payment_attempts (
  id                          text PRIMARY KEY,
  account_id                  text NOT NULL,
  livemode                    boolean NOT NULL,
  payment_intent_id           text NOT NULL,
  charge_id                   text NOT NULL REFERENCES charges(id),
  position                    integer NOT NULL CHECK (position >= 1),
  connector                   text NOT NULL,
  -- Null for the built-in test processor used when an account has no connector configurations.
  connector_configuration_id  text,
  status                      text NOT NULL CHECK (status IN (
                                'pending',          -- sent (or about to be); no answer yet
                                'requires_action',  -- the provider asked for a redirect (3-D Secure, wallet approval)
                                'authorized',
                                'declined',
                                'failed',           -- the provider did not act (not sent, refused configuration)
                                'unknown')),        -- sent, answer ambiguous even after sync: the janitor resolves it
  processor_reference         text,
  decline_code                text,
  failure_code                text,
  -- Why this attempt ended as it did, for people: "soft decline: try_again_later", "timeout, resolved by sync", ...
  detail                      text,
  routing_reason              text NOT NULL,
  -- The provider's redirect when it must be a form POST (Adyen CheckoutRedirectAction with method POST): Payrail's
  -- redirect page posts it for the customer. Holds no secrets (a 3-D Secure session token at most).
  redirect                    jsonb,
  latency_ms                  integer,
  started_at                  timestamptz NOT NULL DEFAULT now(),
  finished_at                 timestamptz,
  -- The janitor's schedule for an unresolved attempt.
  sync_count                  integer NOT NULL DEFAULT 0,
  next_sync_at                timestamptz,
  UNIQUE (charge_id, position)
);
CREATE INDEX payment_attempts_intent ON payment_attempts (payment_intent_id);
CREATE INDEX payment_attempts_unresolved ON payment_attempts (next_sync_at) WHERE status IN ('pending', 'unknown');
CREATE INDEX payment_attempts_reference ON payment_attempts (connector_configuration_id, processor_reference) WHERE processor_reference IS NOT NULL;

-- Provider webhook notifications already applied, by the provider's own event key: a redelivery is acknowledged and
-- ignored.
CREATE TABLE provider_webhook_events (
  connector_configuration_id  text NOT NULL,
  event_key                   text NOT NULL,
  kind                        text NOT NULL,
  received_at                 timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connector_configuration_id, event_key)
);

-- Captures and voids sent to a provider that answered "received" (Adyen) are confirmed by webhook; refunds have
-- their own rows already.
-- `pending` also marks a capture whose answer was ambiguous (sent, no definite answer): the intent cannot be canceled
-- until it is settled, by a retried capture (idempotent at the provider) or the provider's capture webhook, and
-- `capture_requested_amount` is the amount that capture asked for.
ALTER TABLE charges ADD COLUMN capture_status text CHECK (capture_status IN ('pending', 'succeeded', 'failed'));
ALTER TABLE charges ADD COLUMN capture_requested_amount bigint CHECK (capture_requested_amount > 0);

-- The janitor finds unresolved attempts through payment_attempts_unresolved; this index served the sweep it replaces.
DROP INDEX payment_intents_processing;
