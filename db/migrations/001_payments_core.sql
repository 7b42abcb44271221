-- Payments core: accounts, keys, customers, payment methods, payment intents, charges, refunds, events,
-- idempotency keys and 3-D Secure challenges. Every merchant-owned row carries account_id and livemode, and every
-- query filters on both. `seq` gives lists a stable newest-first order that concurrent inserts cannot reshuffle.
--
-- Merchant-owned tables carry account_id without a foreign key to accounts: account_id is only ever taken from the
-- authenticated caller, and a foreign key would make every insert lock the account's single row (FOR KEY SHARE).
-- Under concurrent payments those locks pile up as multixacts on that one row and throughput fell by half within
-- 30 seconds of load (bench/payments.ts). Accounts are never deleted.

CREATE TABLE accounts (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  is_demo     boolean NOT NULL DEFAULT false,
  created     bigint NOT NULL
);
CREATE UNIQUE INDEX accounts_single_demo ON accounts (is_demo) WHERE is_demo;

CREATE TABLE api_keys (
  id             text PRIMARY KEY,
  account_id     text NOT NULL REFERENCES accounts(id),
  kind           text NOT NULL CHECK (kind IN ('secret', 'publishable')),
  livemode       boolean NOT NULL,
  key_hash       bytea NOT NULL UNIQUE,
  display_prefix text NOT NULL,
  created        bigint NOT NULL,
  revoked_at     bigint
);
CREATE INDEX api_keys_account ON api_keys (account_id);

CREATE TABLE customers (
  seq          bigserial NOT NULL,
  id           text PRIMARY KEY,
  account_id   text NOT NULL,
  livemode     boolean NOT NULL,
  email        text,
  name         text,
  phone        text,
  description  text,
  address      jsonb,
  shipping     jsonb,
  metadata     jsonb NOT NULL DEFAULT '{}',
  deleted      boolean NOT NULL DEFAULT false,
  created      bigint NOT NULL
);
CREATE INDEX customers_list ON customers (account_id, livemode, seq DESC) WHERE NOT deleted;
CREATE INDEX customers_email ON customers (account_id, livemode, email) WHERE NOT deleted;

CREATE TABLE payment_methods (
  seq              bigserial NOT NULL,
  id               text PRIMARY KEY,
  account_id       text NOT NULL,
  livemode         boolean NOT NULL,
  type             text NOT NULL,
  customer_id      text REFERENCES customers(id),
  billing_details  jsonb NOT NULL,
  card             jsonb NOT NULL,
  -- AES-256-GCM ciphertext of the card number: version byte, 12-byte nonce, ciphertext, 16-byte tag.
  card_number_encrypted bytea NOT NULL,
  metadata         jsonb NOT NULL DEFAULT '{}',
  created          bigint NOT NULL
);
-- Partial: most PaymentMethods (one per checkout) are never attached, and need no entry here.
CREATE INDEX payment_methods_customer ON payment_methods (account_id, livemode, customer_id, seq DESC) WHERE customer_id IS NOT NULL;

CREATE TABLE payment_intents (
  seq                   bigserial NOT NULL,
  id                    text PRIMARY KEY,
  account_id            text NOT NULL,
  livemode              boolean NOT NULL,
  amount                bigint NOT NULL CHECK (amount > 0),
  currency              text NOT NULL,
  status                text NOT NULL CHECK (status IN ('requires_payment_method', 'requires_confirmation',
                          'requires_action', 'processing', 'requires_capture', 'succeeded', 'canceled')),
  capture_method        text NOT NULL,
  confirmation_method   text NOT NULL,
  customer_id           text,
  payment_method_id     text,
  payment_method_types  text[] NOT NULL,
  description           text,
  receipt_email         text,
  statement_descriptor  text,
  statement_descriptor_suffix text,
  setup_future_usage    text,
  return_url            text,
  amount_capturable     bigint NOT NULL DEFAULT 0 CHECK (amount_capturable >= 0),
  amount_received       bigint NOT NULL DEFAULT 0 CHECK (amount_received >= 0),
  latest_charge_id      text,
  last_payment_error    jsonb,
  next_action           jsonb,
  cancellation_reason   text,
  canceled_at           bigint,
  client_secret         text NOT NULL,
  metadata              jsonb NOT NULL DEFAULT '{}',
  created               bigint NOT NULL,
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CHECK (amount_received <= amount AND amount_capturable <= amount)
);
CREATE INDEX payment_intents_list ON payment_intents (account_id, livemode, seq DESC);
CREATE INDEX payment_intents_customer ON payment_intents (account_id, livemode, customer_id, seq DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX payment_intents_processing ON payment_intents (updated_at) WHERE status = 'processing';

CREATE TABLE charges (
  seq                     bigserial NOT NULL,
  id                      text PRIMARY KEY,
  account_id              text NOT NULL,
  livemode                boolean NOT NULL,
  payment_intent_id       text NOT NULL REFERENCES payment_intents(id),
  payment_method_id       text NOT NULL,
  customer_id             text,
  amount                  bigint NOT NULL CHECK (amount > 0),
  amount_captured         bigint NOT NULL DEFAULT 0 CHECK (amount_captured >= 0),
  amount_refunded         bigint NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
  currency                text NOT NULL,
  status                  text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  captured                boolean NOT NULL DEFAULT false,
  authorized              boolean NOT NULL DEFAULT false,
  released                boolean NOT NULL DEFAULT false,
  failure_code            text,
  failure_message         text,
  outcome                 jsonb,
  payment_method_details  jsonb NOT NULL,
  description             text,
  receipt_email           text,
  processor_reference     text,
  metadata                jsonb NOT NULL DEFAULT '{}',
  created                 bigint NOT NULL,
  -- The ledger of this charge must never go negative: refunds stay within what was captured.
  CHECK (amount_captured <= amount AND amount_refunded <= amount_captured)
);
CREATE INDEX charges_list ON charges (account_id, livemode, seq DESC);
CREATE INDEX charges_payment_intent ON charges (payment_intent_id);

CREATE TABLE refunds (
  seq                  bigserial NOT NULL,
  id                   text PRIMARY KEY,
  account_id           text NOT NULL,
  livemode             boolean NOT NULL,
  charge_id            text NOT NULL REFERENCES charges(id),
  payment_intent_id    text NOT NULL REFERENCES payment_intents(id),
  amount               bigint NOT NULL CHECK (amount > 0),
  currency             text NOT NULL,
  status               text NOT NULL CHECK (status IN ('pending', 'requires_action', 'succeeded', 'failed', 'canceled')),
  reason               text,
  failure_reason       text,
  processor_reference  text,
  metadata             jsonb NOT NULL DEFAULT '{}',
  created              bigint NOT NULL
);
CREATE INDEX refunds_list ON refunds (account_id, livemode, seq DESC);
CREATE INDEX refunds_charge ON refunds (charge_id, seq DESC);
CREATE INDEX refunds_payment_intent ON refunds (payment_intent_id, seq DESC);

CREATE TABLE events (
  seq               bigserial NOT NULL,
  id                text PRIMARY KEY,
  account_id        text NOT NULL,
  livemode          boolean NOT NULL,
  type              text NOT NULL,
  api_version       text,
  -- json, not jsonb: the payload is written once and read back whole, so it is kept as the text it was rendered
  -- as, without the cost of converting it to jsonb on the payment path.
  data              json NOT NULL,
  request_id        text,
  idempotency_key   text,
  created           bigint NOT NULL
);
CREATE INDEX events_list ON events (account_id, livemode, seq DESC);
-- Event payloads are a few kilobytes: keep them inline and uncompressed (compressing every write costs CPU on the
-- payment path; TOAST would add a second table write).
ALTER TABLE events SET (toast_tuple_target = 8160);
CREATE INDEX events_type ON events (account_id, livemode, type, seq DESC);

-- Stripe-style idempotency: a key is "locked" while its request runs; the stored response is written in the same
-- transaction as the state change it describes, so a crash leaves either both or neither.
CREATE TABLE idempotency_keys (
  account_id          text NOT NULL,
  livemode            boolean NOT NULL,
  key                 text NOT NULL,
  request_method      text NOT NULL,
  request_path        text NOT NULL,
  request_fingerprint text NOT NULL,
  locked_at           timestamptz,
  response_status     integer,
  response_body       jsonb,
  created_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, livemode, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE authentication_challenges (
  id                 text PRIMARY KEY,
  account_id         text NOT NULL,
  livemode           boolean NOT NULL,
  payment_intent_id  text NOT NULL REFERENCES payment_intents(id),
  charge_id          text NOT NULL REFERENCES charges(id),
  status             text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'abandoned')),
  return_url         text,
  created            bigint NOT NULL
);
CREATE INDEX authentication_challenges_intent ON authentication_challenges (payment_intent_id);
