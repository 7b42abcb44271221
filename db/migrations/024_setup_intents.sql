-- SetupIntents (Stripe's): a card is verified (a zero-amount authorization at the provider) and saved for later
-- payments, without moving money: no charge, no ledger posting. Each confirmation is a SetupAttempt, recorded before
-- the provider is asked (its id is the provider idempotency key), so a retry or a second confirmation never verifies
-- twice. What the provider keeps for later merchant-initiated payments (its stored-card token, the scheme's network
-- transaction id) is kept per PaymentMethod and connector configuration.

CREATE TABLE setup_intents (
  seq                     bigserial NOT NULL,
  id                      text PRIMARY KEY,
  account_id              text NOT NULL,
  livemode                boolean NOT NULL,
  status                  text NOT NULL CHECK (status IN ('requires_payment_method', 'requires_confirmation', 'requires_action',
                            'processing', 'succeeded', 'canceled')),
  client_secret           text NOT NULL,
  customer_id             text,
  payment_method_id       text,
  payment_method_types    text[] NOT NULL,
  usage                   text NOT NULL CHECK (usage IN ('on_session', 'off_session')),
  description             text,
  metadata                jsonb NOT NULL DEFAULT '{}',
  return_url              text,
  -- Stripe's payment_method_options as rendered ({"card": {"request_three_d_secure": ..., ...}}).
  payment_method_options  jsonb NOT NULL,
  -- The customer's acceptance as given (mandate_data[customer_acceptance]): kept for the mandates SEPA will need.
  mandate_data            jsonb,
  attach_to_self          boolean NOT NULL DEFAULT false,
  last_setup_error        jsonb,
  next_action             jsonb,
  latest_attempt_id       text,
  cancellation_reason     text CHECK (cancellation_reason IN ('abandoned', 'requested_by_customer', 'duplicate')),
  created                 bigint NOT NULL,
  updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX setup_intents_list ON setup_intents (account_id, livemode, seq DESC);
CREATE INDEX setup_intents_customer ON setup_intents (account_id, livemode, customer_id, seq DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX setup_intents_payment_method ON setup_intents (account_id, livemode, payment_method_id, seq DESC) WHERE payment_method_id IS NOT NULL;

CREATE TABLE setup_attempts (
  seq                         bigserial NOT NULL,
  id                          text PRIMARY KEY,
  account_id                  text NOT NULL,
  livemode                    boolean NOT NULL,
  setup_intent_id             text NOT NULL REFERENCES setup_intents(id),
  payment_method_id           text NOT NULL,
  customer_id                 text,
  usage                       text NOT NULL CHECK (usage IN ('on_session', 'off_session')),
  attach_to_self              boolean NOT NULL DEFAULT false,
  status                      text NOT NULL CHECK (status IN ('requires_confirmation', 'requires_action', 'processing', 'succeeded',
                                'failed', 'abandoned')),
  -- The connector asked and its configuration (null: the built-in test processor).
  connector                   text NOT NULL,
  connector_configuration_id  text,
  -- The currency the zero amount was expressed in: a provider's replay of the request (its idempotency key) must be
  -- the very same request.
  verification_currency       text NOT NULL,
  -- The provider's reference of the verification (Adyen's pspReference), once it gave one.
  processor_reference         text,
  -- The provider's redirect for the customer's authentication (Adyen's 3-D Secure), when it asked for one.
  redirect                    jsonb,
  setup_error                 jsonb,
  payment_method_details      jsonb NOT NULL,
  created                     bigint NOT NULL,
  finished_at                 timestamptz,
  -- An attempt whose provider answer was ambiguous is asked again (with the same idempotency key) from this time on.
  next_sync_at                timestamptz,
  sync_count                  integer NOT NULL DEFAULT 0
);
CREATE INDEX setup_attempts_intent ON setup_attempts (setup_intent_id, seq DESC);
CREATE INDEX setup_attempts_unresolved ON setup_attempts (next_sync_at) WHERE status = 'processing';

-- The test processor's 3-D Secure challenges of setup attempts (the page /3ds/:id serves both kinds).
CREATE TABLE setup_authentication_challenges (
  id                 text PRIMARY KEY,
  account_id         text NOT NULL,
  livemode           boolean NOT NULL,
  setup_intent_id    text NOT NULL REFERENCES setup_intents(id),
  setup_attempt_id   text NOT NULL REFERENCES setup_attempts(id),
  status             text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'abandoned')),
  return_url         text,
  created            bigint NOT NULL
);
CREATE INDEX setup_authentication_challenges_attempt ON setup_authentication_challenges (setup_attempt_id);

-- What a provider keeps of a verified card for later merchant-initiated (off-session) payments: its stored-card token
-- (Adyen's storedPaymentMethodId / recurringDetailReference, with the shopperReference it is filed under) and the
-- scheme's network transaction id. Neither is a card number: a token only works with the merchant's own credentials
-- at that provider, and the network transaction id is a public reference of the first transaction, so both are kept
-- in clear (as the provider's payment references are). One row per PaymentMethod and configuration; a later
-- verification or saving payment through the same configuration replaces it.
CREATE TABLE payment_method_provider_references (
  account_id                  text NOT NULL,
  livemode                    boolean NOT NULL,
  payment_method_id           text NOT NULL,
  connector                   text NOT NULL,
  -- '' for the built-in test processor (no configuration), so the primary key needs no NULL.
  connector_configuration_key text NOT NULL,
  provider_token              text,
  shopper_reference           text,
  network_transaction_id      text,
  usage                       text NOT NULL CHECK (usage IN ('on_session', 'off_session')),
  -- What saved it: a setup attempt (setatt_...) or a payment attempt (pa_...).
  source_attempt_id           text NOT NULL,
  created                     bigint NOT NULL,
  PRIMARY KEY (payment_method_id, connector_configuration_key)
);
