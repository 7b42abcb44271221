-- Connect charges (Stripe's destination charges and direct charges with an application fee). A PaymentIntent's and a
-- charge's Connect parameters live in one nullable jsonb column each, absent (NULL) for every other payment, so an
-- ordinary payment's statements carry nothing more. The intent's `connect`: {kind: destination|direct, destination,
-- transfer_amount, application_fee_amount, on_behalf_of, transfer_group, platform}; the charge's adds what its capture
-- created: {transfer, application_fee}.
ALTER TABLE payment_intents ADD COLUMN connect jsonb;
ALTER TABLE charges ADD COLUMN connect jsonb;

-- An application fee (Stripe's application_fee): what a platform collected on a charge of, or for, one of its
-- connected accounts. `account_id` is the platform (its owner); `connected_account_id` is Stripe's `account`, the
-- account that paid it. Written in the statement that captured the charge.
CREATE TABLE application_fees (
  seq                          bigserial NOT NULL,
  id                           text PRIMARY KEY,
  account_id                   text NOT NULL REFERENCES accounts(id),
  livemode                     boolean NOT NULL,
  connected_account_id         text NOT NULL REFERENCES accounts(id),
  charge_id                    text NOT NULL UNIQUE,
  amount                       bigint NOT NULL CHECK (amount > 0),
  -- Kept within 0..amount: concurrent fee refunds can never together refund more than the fee.
  amount_refunded              bigint NOT NULL DEFAULT 0,
  currency                     text NOT NULL,
  balance_transaction_id       text NOT NULL,
  -- The connected account's balance transaction that paid it (a direct charge's), if any.
  account_balance_transaction_id text,
  -- A destination charge's transfer, whose payment the fee was taken from.
  transfer_id                  text,
  created                      bigint NOT NULL,
  CHECK (amount_refunded BETWEEN 0 AND amount),
  CHECK (connected_account_id <> account_id)
);
CREATE INDEX application_fees_platform ON application_fees (account_id, livemode, seq DESC);

-- A refund of an application fee (Stripe's fee_refund): the platform gives (part of) the fee back.
CREATE TABLE application_fee_refunds (
  seq                    bigserial NOT NULL,
  id                     text PRIMARY KEY,
  account_id             text NOT NULL REFERENCES accounts(id),
  livemode               boolean NOT NULL,
  fee_id                 text NOT NULL REFERENCES application_fees(id),
  amount                 bigint NOT NULL CHECK (amount > 0),
  currency               text NOT NULL,
  balance_transaction_id text NOT NULL,
  metadata               jsonb NOT NULL DEFAULT '{}',
  created                bigint NOT NULL
);
CREATE INDEX application_fee_refunds_fee ON application_fee_refunds (fee_id, seq DESC);
