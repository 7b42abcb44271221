-- Checkout Sessions (mode payment) and their line items, as Stripe's: a hosted page sells the line items, and the
-- session completes once, when its PaymentIntent succeeds (or is authorized, for manual capture).
CREATE TABLE checkout_sessions (
  seq                         bigserial NOT NULL,
  id                          text PRIMARY KEY,
  account_id                  text NOT NULL,
  livemode                    boolean NOT NULL,
  mode                        text NOT NULL CHECK (mode = 'payment'),
  status                      text NOT NULL CHECK (status IN ('open', 'complete', 'expired')),
  payment_status              text NOT NULL CHECK (payment_status IN ('paid', 'unpaid', 'no_payment_required')),
  ui_mode                     text NOT NULL CHECK (ui_mode = 'hosted'),
  currency                    text NOT NULL,
  -- Integers in the currency's minor unit: the line items' sum (no discounts, taxes or shipping yet).
  amount_subtotal             bigint NOT NULL CHECK (amount_subtotal >= 0),
  amount_total                bigint NOT NULL CHECK (amount_total >= 0),
  success_url                 text,
  cancel_url                  text,
  client_reference_id         text,
  customer_id                 text,
  customer_email              text,
  customer_creation           text CHECK (customer_creation IN ('always', 'if_required')),
  -- What the shopper entered: {email, name, phone, address}; shipping as {name, address}.
  customer_details            jsonb,
  shipping_details            jsonb,
  -- What the PaymentIntent is made with: capture_method, description, metadata, setup_future_usage, statement descriptors.
  payment_intent_data         jsonb NOT NULL DEFAULT '{}',
  payment_intent_id           text,
  payment_method_types        text[] NOT NULL,
  locale                      text,
  billing_address_collection  text NOT NULL CHECK (billing_address_collection IN ('auto', 'required')),
  shipping_allowed_countries  text[],
  phone_number_collection     boolean NOT NULL,
  submit_type                 text NOT NULL CHECK (submit_type IN ('auto', 'pay', 'book', 'donate')),
  metadata                    jsonb NOT NULL DEFAULT '{}',
  expires_at                  bigint NOT NULL,
  created                     bigint NOT NULL
);
CREATE INDEX checkout_sessions_list ON checkout_sessions (account_id, livemode, seq DESC);
-- The sweep's two questions: which open sessions are past their expiry, and which have a payment to look at.
CREATE INDEX checkout_sessions_open_expiry ON checkout_sessions (expires_at) WHERE status = 'open';
CREATE INDEX checkout_sessions_open_paying ON checkout_sessions (seq) WHERE status = 'open' AND payment_intent_id IS NOT NULL;
CREATE UNIQUE INDEX checkout_sessions_payment_intent ON checkout_sessions (payment_intent_id) WHERE payment_intent_id IS NOT NULL;

CREATE TABLE checkout_line_items (
  id               text PRIMARY KEY,
  session_id       text NOT NULL REFERENCES checkout_sessions (id),
  position         integer NOT NULL,
  price_id         text NOT NULL REFERENCES prices (id),
  quantity         bigint NOT NULL CHECK (quantity > 0),
  description      text NOT NULL,
  currency         text NOT NULL,
  unit_amount      bigint NOT NULL CHECK (unit_amount >= 0),
  amount_subtotal  bigint NOT NULL CHECK (amount_subtotal >= 0),
  amount_total     bigint NOT NULL CHECK (amount_total >= 0),
  UNIQUE (session_id, position)
);
