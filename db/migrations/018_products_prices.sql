-- Products and Prices (one-time prices), as Stripe's: the catalogue Checkout Sessions and Payment Links sell from.
--
-- A product's id may be chosen by the caller (Stripe allows it), so it is unique per account and mode, not globally:
-- a global key would let one account learn that another has a product called `prod_shirt` (the conflict answer).
-- The primary key is therefore (account_id, livemode, id); lookups by id alone (list cursors, which compare the
-- tenant with IS NOT DISTINCT FROM as every lookup by id does, docs/architecture.md) use products_id.
CREATE TABLE products (
  seq                  bigserial NOT NULL,
  id                   text NOT NULL,
  account_id           text NOT NULL,
  livemode             boolean NOT NULL,
  name                 text NOT NULL,
  active               boolean NOT NULL,
  description          text,
  images               jsonb NOT NULL DEFAULT '[]',
  marketing_features   jsonb NOT NULL DEFAULT '[]',
  metadata             jsonb NOT NULL DEFAULT '{}',
  url                  text,
  statement_descriptor text,
  unit_label           text,
  shippable            boolean,
  tax_code             text,
  -- One of the product's prices; no foreign key, because prices reference products (and are never deleted).
  default_price_id     text,
  created              bigint NOT NULL,
  updated              bigint NOT NULL,
  PRIMARY KEY (account_id, livemode, id)
);
CREATE INDEX products_id ON products (id);
CREATE INDEX products_list ON products (account_id, livemode, seq DESC);
CREATE INDEX products_search_metadata ON products USING gin (metadata jsonb_path_ops);

-- Money is an integer in the currency's minor unit. `currency_options` holds the other currencies of the price as
-- {"eur": {"unit_amount": 900, "tax_behavior": "unspecified"}}; the price's own currency is its columns.
CREATE TABLE prices (
  seq              bigserial NOT NULL,
  id               text PRIMARY KEY,
  account_id       text NOT NULL,
  livemode         boolean NOT NULL,
  product_id       text NOT NULL,
  active           boolean NOT NULL,
  currency         text NOT NULL,
  unit_amount      bigint NOT NULL CHECK (unit_amount >= 0),
  currency_options jsonb NOT NULL DEFAULT '{}',
  tax_behavior     text NOT NULL CHECK (tax_behavior IN ('inclusive', 'exclusive', 'unspecified')),
  lookup_key       text,
  nickname         text,
  metadata         jsonb NOT NULL DEFAULT '{}',
  created          bigint NOT NULL,
  -- A price belongs to a product of its own account and mode; a product with prices cannot be deleted (as at Stripe).
  FOREIGN KEY (account_id, livemode, product_id) REFERENCES products (account_id, livemode, id)
);
CREATE INDEX prices_list ON prices (account_id, livemode, seq DESC);
CREATE INDEX prices_product ON prices (account_id, livemode, product_id, seq DESC);
-- A lookup key names at most one price per account and mode; the insert relies on this index (ON CONFLICT).
CREATE UNIQUE INDEX prices_lookup_key ON prices (account_id, livemode, lookup_key) WHERE lookup_key IS NOT NULL;
CREATE INDEX prices_search_metadata ON prices USING gin (metadata jsonb_path_ops);
