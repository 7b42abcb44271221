-- Payment Method Configurations (Stripe's /v1/payment_method_configurations): which payment method types an account
-- offers when a PaymentIntent does not name its types (automatic_payment_methods). `preferences` holds the account's
-- own choice per type ({"ideal": "on", "paypal": "off"}); a type it never set is 'none' and takes Payrail's default
-- (card on, every other type off), so types Payrail adds later need no data change. Each account and mode has at most
-- one default configuration (is_default), made on first use; the others are made through the API.
CREATE TABLE payment_method_configurations (
  seq          bigserial NOT NULL,
  id           text PRIMARY KEY,
  account_id   text NOT NULL REFERENCES accounts(id),
  livemode     boolean NOT NULL,
  name         text NOT NULL,
  active       boolean NOT NULL DEFAULT true,
  is_default   boolean NOT NULL DEFAULT false,
  preferences  jsonb NOT NULL DEFAULT '{}',
  created      bigint NOT NULL
);
-- An account's configurations, newest first (GET /v1/payment_method_configurations).
CREATE INDEX payment_method_configurations_account ON payment_method_configurations (account_id, livemode, seq DESC);
-- One default per account and mode: concurrent first uses make one row (INSERT ... ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX payment_method_configurations_default ON payment_method_configurations (account_id, livemode) WHERE is_default;
