-- Checkout Sessions in setup mode, as Stripe's: the page saves the shopper's card for later payments through a
-- SetupIntent (made when the shopper first submits, as the PaymentIntent of a payment session) and sells nothing, so
-- such a session has no line items, no amounts, possibly no currency, and payment_status no_payment_required.
ALTER TABLE checkout_sessions DROP CONSTRAINT checkout_sessions_mode_check;
ALTER TABLE checkout_sessions ADD CONSTRAINT checkout_sessions_mode_check CHECK (mode IN ('payment', 'setup'));
ALTER TABLE checkout_sessions
  ALTER COLUMN currency DROP NOT NULL,
  ALTER COLUMN amount_subtotal DROP NOT NULL,
  ALTER COLUMN amount_total DROP NOT NULL,
  -- What the SetupIntent is made with: description, metadata.
  ADD COLUMN setup_intent_data jsonb,
  ADD COLUMN setup_intent_id text,
  ADD CONSTRAINT checkout_sessions_mode_shape CHECK (
    CASE mode
      WHEN 'payment' THEN currency IS NOT NULL AND amount_total IS NOT NULL AND amount_subtotal IS NOT NULL AND setup_intent_id IS NULL AND setup_intent_data IS NULL
      ELSE amount_total IS NULL AND amount_subtotal IS NULL AND payment_intent_id IS NULL AND setup_intent_data IS NOT NULL
    END);
CREATE UNIQUE INDEX checkout_sessions_setup_intent ON checkout_sessions (setup_intent_id) WHERE setup_intent_id IS NOT NULL;
CREATE INDEX checkout_sessions_open_setting_up ON checkout_sessions (seq) WHERE status = 'open' AND setup_intent_id IS NOT NULL;
