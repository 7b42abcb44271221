-- Off-session payments as merchant-initiated transactions: an attempt of a PaymentIntent confirmed with
-- off_session=true is sent to its provider as a payment the merchant starts without the customer, referring to the
-- card's setup (the provider's token and the scheme's network transaction id in payment_method_provider_references).
-- The attempt records which it was, so that asking the provider again about it (the janitor's replay under the same
-- idempotency key) sends the very same request.
ALTER TABLE payment_attempts ADD COLUMN merchant_initiated boolean NOT NULL DEFAULT false;
