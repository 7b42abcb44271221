-- Stripe's older API that shipped integrations still use: card tokens, legacy charges with `source`, and card
-- sources on customers. Everything maps onto the existing tables: a token's card and a customer's card source are
-- card PaymentMethods whose ids start with `card_` (so a card source is usable wherever a PaymentMethod is), and a
-- legacy charge is the charge of a PaymentIntent Payrail creates and confirms for it.

-- A token stands for one card PaymentMethod (number encrypted there) and can be used once.
CREATE TABLE tokens (
  seq                bigserial NOT NULL,
  id                 text PRIMARY KEY,
  account_id         text NOT NULL,
  livemode           boolean NOT NULL,
  type               text NOT NULL CHECK (type IN ('card')),
  payment_method_id  text NOT NULL REFERENCES payment_methods(id),
  client_ip          text,
  used               boolean NOT NULL DEFAULT false,
  created            bigint NOT NULL
);

-- The card a charge with only `customer` uses; one of the customer's card sources (or null).
ALTER TABLE customers ADD COLUMN default_source text;

-- Charge fields Stripe keeps on the charge itself: the card source a legacy charge was made with (a snapshot, as
-- Stripe's `source`), its statement descriptors, and what POST /v1/charges/:id may update.
ALTER TABLE charges ADD COLUMN source jsonb;
ALTER TABLE charges ADD COLUMN statement_descriptor text;
ALTER TABLE charges ADD COLUMN statement_descriptor_suffix text;
ALTER TABLE charges ADD COLUMN shipping jsonb;
ALTER TABLE charges ADD COLUMN fraud_details jsonb NOT NULL DEFAULT '{}';
ALTER TABLE charges ADD COLUMN transfer_group text;
