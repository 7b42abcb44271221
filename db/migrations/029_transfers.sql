-- Connect transfers (Stripe's /v1/transfers) and their reversals. A transfer moves money from a platform's balance to
-- one of its connected accounts: the platform's `transfer` balance transaction and the destination's `payment` (its
-- id is the transfer's `destination_payment`, py_...) are two ledger entries of one statement, bridged by the
-- platform-owned `connect_clearing` ledger account (docs/ledger.md). `account_id` is the platform: the owner of the
-- transfer, as every object's account_id names its owner.
CREATE TABLE transfers (
  seq                                bigserial NOT NULL,
  id                                 text PRIMARY KEY,
  account_id                         text NOT NULL REFERENCES accounts(id),
  livemode                           boolean NOT NULL,
  amount                             bigint NOT NULL CHECK (amount > 0),
  -- Kept within 0..amount: concurrent reversals can never together reverse more than was transferred.
  amount_reversed                    bigint NOT NULL DEFAULT 0,
  currency                           text NOT NULL,
  destination_id                     text NOT NULL REFERENCES accounts(id),
  destination_payment_id             text NOT NULL UNIQUE,
  balance_transaction_id             text NOT NULL,
  destination_balance_transaction_id text NOT NULL,
  -- The platform's charge that funds it (null: the platform's available balance).
  source_transaction_id              text,
  transfer_group                     text,
  description                        text,
  metadata                           jsonb NOT NULL DEFAULT '{}',
  created                            bigint NOT NULL,
  CHECK (amount_reversed BETWEEN 0 AND amount),
  CHECK (destination_id <> account_id)
);
CREATE INDEX transfers_platform ON transfers (account_id, livemode, seq DESC);
CREATE INDEX transfers_destination ON transfers (account_id, livemode, destination_id, seq DESC);
CREATE INDEX transfers_group ON transfers (account_id, livemode, transfer_group, seq DESC) WHERE transfer_group IS NOT NULL;
CREATE INDEX transfers_source ON transfers (source_transaction_id) WHERE source_transaction_id IS NOT NULL;

-- A transfer's reversal: the money goes back from the destination to the platform (the destination's
-- `payment_refund` and the platform's `transfer_refund` balance transactions). `account_id` is the platform.
CREATE TABLE transfer_reversals (
  seq                                bigserial NOT NULL,
  id                                 text PRIMARY KEY,
  account_id                         text NOT NULL REFERENCES accounts(id),
  livemode                           boolean NOT NULL,
  transfer_id                        text NOT NULL REFERENCES transfers(id),
  amount                             bigint NOT NULL CHECK (amount > 0),
  currency                           text NOT NULL,
  balance_transaction_id             text NOT NULL,
  destination_balance_transaction_id text NOT NULL,
  -- The refund of the source charge that pulled the transfer back (refund with reverse_transfer), if any.
  source_refund_id                   text,
  metadata                           jsonb NOT NULL DEFAULT '{}',
  created                            bigint NOT NULL
);
CREATE INDEX transfer_reversals_transfer ON transfer_reversals (transfer_id, seq DESC);
