-- SEPA Direct Debit (docs/payment-methods.md): a sepa_debit PaymentMethod's IBAN, encrypted like a card number
-- (secretBox, the PaymentMethod's id as associated data); only its facts (country, bank and branch codes, last4,
-- fingerprint) are readable, in `wallet`.
ALTER TABLE payment_methods ADD COLUMN bank_account_encrypted bytea;

-- Mandates (Stripe's /v1/mandates): the customer's authorization to debit a PaymentMethod, made when a sepa_debit
-- PaymentIntent is confirmed with mandate_data[customer_acceptance]. `reference` is the mandate reference the SEPA
-- pre-notification quotes, unique across Payrail.
CREATE TABLE mandates (
  id                  text PRIMARY KEY,
  account_id          text NOT NULL REFERENCES accounts(id),
  livemode            boolean NOT NULL,
  payment_method_id   text NOT NULL,
  payment_method_type text NOT NULL,
  type                text NOT NULL,
  status              text NOT NULL,
  reference           text NOT NULL UNIQUE,
  customer_acceptance jsonb NOT NULL,
  single_use          jsonb,
  created             bigint NOT NULL
);
-- A PaymentMethod's mandates, newest first (an off-session payment reuses the latest active multi-use one).
CREATE INDEX mandates_payment_method ON mandates (payment_method_id, created DESC);
