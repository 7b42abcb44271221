-- A card's security code (CVC), kept only until the card's first authorization (docs/security.md): PCI DSS lets
-- sensitive authentication data be held until authorization completes. It is encrypted (AES-256-GCM, the
-- PaymentMethod's id as associated data) and lives in its own table, so that the statement recording the first
-- authorization's outcome deletes it alongside its other writes to payment_methods (one statement changes a row once),
-- and so that no query of payment_methods reads it by accident. The janitor deletes codes never used after an hour.
CREATE TABLE payment_method_security_codes (
  payment_method_id text PRIMARY KEY,
  account_id text NOT NULL,
  livemode boolean NOT NULL,
  security_code_encrypted bytea NOT NULL,
  created bigint NOT NULL
);
CREATE INDEX payment_method_security_codes_created ON payment_method_security_codes (created);
