-- Payment Links, as Stripe's: a shareable URL that sells fixed line items; each visit makes a Checkout Session
-- (mode payment) from the link, and the session records which link it came from.
CREATE TABLE payment_links (
  seq                         bigserial NOT NULL,
  id                          text PRIMARY KEY,
  account_id                  text NOT NULL,
  livemode                    boolean NOT NULL,
  active                      boolean NOT NULL,
  currency                    text NOT NULL,
  -- {"type": "redirect", "redirect": {"url": ...}} or {"type": "hosted_confirmation", "hosted_confirmation": {"custom_message": ...}}.
  after_completion            jsonb NOT NULL,
  -- restrictions.completed_sessions: the limit (null: no restriction) and the count of sessions completed through the
  -- link, incremented in the transaction that completes each session (which also deactivates the link at the limit).
  completed_sessions_limit    integer CHECK (completed_sessions_limit IS NULL OR completed_sessions_limit > 0),
  completed_sessions_count    integer NOT NULL DEFAULT 0 CHECK (completed_sessions_count >= 0),
  billing_address_collection  text NOT NULL CHECK (billing_address_collection IN ('auto', 'required')),
  phone_number_collection     boolean NOT NULL,
  shipping_allowed_countries  text[],
  customer_creation           text NOT NULL CHECK (customer_creation IN ('always', 'if_required')),
  payment_intent_data         jsonb,
  payment_method_types        text[],
  submit_type                 text NOT NULL CHECK (submit_type IN ('auto', 'pay', 'book', 'donate')),
  inactive_message            text,
  metadata                    jsonb NOT NULL DEFAULT '{}',
  created                     bigint NOT NULL
);
CREATE INDEX payment_links_list ON payment_links (account_id, livemode, seq DESC);

-- What a link sells: existing prices, in the order given. Quantities a shopper may adjust between minimum and maximum.
CREATE TABLE payment_link_line_items (
  id                   text PRIMARY KEY,
  payment_link_id      text NOT NULL REFERENCES payment_links (id),
  position             integer NOT NULL,
  price_id             text NOT NULL REFERENCES prices (id),
  quantity             bigint NOT NULL CHECK (quantity > 0),
  adjustable_enabled   boolean NOT NULL DEFAULT false,
  adjustable_minimum   bigint,
  adjustable_maximum   bigint,
  UNIQUE (payment_link_id, position)
);

ALTER TABLE checkout_sessions ADD COLUMN payment_link_id text REFERENCES payment_links (id);
-- A link's sessions: the list filter (newest first) and, when the link reaches its limit, its open sessions.
CREATE INDEX checkout_sessions_payment_link ON checkout_sessions (payment_link_id, seq DESC) WHERE payment_link_id IS NOT NULL;
