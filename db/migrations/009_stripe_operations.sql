-- Stripe operations and parameters Payrail lacked (issue 11): PaymentIntent shipping, automatic payment methods and
-- payment method options; the shipping a charge carries; incremental authorizations; customers' invoice settings;
-- payout reversals.

-- {enabled, allow_redirects}, or NULL when the intent names its payment_method_types.
ALTER TABLE payment_intents ADD COLUMN automatic_payment_methods jsonb;
-- Stripe's shipping hash {address, name, phone, carrier, tracking_number}, or NULL.
ALTER TABLE payment_intents ADD COLUMN shipping jsonb;
-- Stripe's payment_method_options as given ({card: {request_three_d_secure, capture_method, ...}}).
ALTER TABLE payment_intents ADD COLUMN payment_method_options jsonb NOT NULL DEFAULT '{}';

-- The intent's shipping when the charge was made, as Stripe copies it.
ALTER TABLE charges ADD COLUMN IF NOT EXISTS shipping jsonb;
-- Incremental authorization attempts of the charge, declines included (Stripe allows 10).
ALTER TABLE charges ADD COLUMN incremental_authorization_attempts integer NOT NULL DEFAULT 0
  CHECK (incremental_authorization_attempts BETWEEN 0 AND 10);

-- {default_payment_method, custom_fields, footer} of Stripe's customer.invoice_settings.
ALTER TABLE customers ADD COLUMN invoice_settings jsonb NOT NULL DEFAULT '{}';

-- A reversal is a payout of the opposite amount naming the payout it reverses; each payout is reversed at most once.
ALTER TABLE payouts ADD COLUMN original_payout_id text REFERENCES payouts(id);
-- Deferred: the original names its reversal in the same transaction, just before the reversal's row is written.
ALTER TABLE payouts ADD COLUMN reversed_by_id text REFERENCES payouts(id) DEFERRABLE INITIALLY DEFERRED;
CREATE UNIQUE INDEX payouts_one_reversal ON payouts (original_payout_id) WHERE original_payout_id IS NOT NULL;
