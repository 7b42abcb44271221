-- Per-account connector configurations (a Payrail extension, /v1/payrail/connector_configurations): which provider
-- connectors an account uses in each mode, with their credentials, settings, what they accept, and their fees.
--
-- Credentials exist here only as AES-256-GCM ciphertext bound to the configuration id; `credentials_masked` keeps the
-- same keys with masked values (at most the last four characters), so reads and events never need the secrets.

CREATE TABLE connector_configurations (
  seq                    bigserial NOT NULL,
  id                     text PRIMARY KEY,
  account_id             text NOT NULL,
  livemode               boolean NOT NULL,
  connector              text NOT NULL CHECK (connector IN ('adyen', 'stripe', 'paypal', 'test_processor')),
  credentials_encrypted  bytea NOT NULL,
  credentials_masked     jsonb NOT NULL,
  -- Unix seconds when the credentials were last set (at creation, or replaced by an update).
  credentials_updated    bigint NOT NULL,
  -- Non-secret connection settings (base_url, merchant_account), with the mode's defaults filled in.
  settings               jsonb NOT NULL,
  enabled                boolean NOT NULL,
  -- Empty means any currency / any country.
  supported_currencies   text[] NOT NULL,
  supported_countries    text[] NOT NULL,
  payment_method_types   text[] NOT NULL CHECK (cardinality(payment_method_types) > 0),
  -- Lower first when routing has no better reason to choose.
  priority               integer NOT NULL,
  -- {"usd": {"percent_bps": 290, "fixed": 30}, "*": {"percent_bps": 350, "fixed": 0}}: for cost-based routing.
  fees                   jsonb NOT NULL,
  metadata               jsonb NOT NULL DEFAULT '{}',
  deleted                boolean NOT NULL DEFAULT false,
  created                bigint NOT NULL,
  updated                bigint NOT NULL
);
CREATE INDEX connector_configurations_list ON connector_configurations (account_id, livemode, seq DESC) WHERE NOT deleted;
