-- Strong customer authentication (PSD2): the low-value exemption's counters per card, and the account's
-- transaction risk analysis setting (src/payments/sca/, docs/sca.md).

-- Since the card's last strong customer authentication on this account: how many payments went through without one
-- (exempted) and their total in euro cents, which bound the low-value exemption (at most 5 payments, EUR 100).
-- `recurring_amount`/`recurring_currency` are the amount of the last authenticated payment that saved the card
-- (setup_future_usage): a later payment of exactly that amount is a fixed-amount recurring payment. Keyed by the card's
-- fingerprint, so a card saved twice (two PaymentMethods) shares its counters. Written in the same statement as the
-- payment's outcome, under its compare-and-set.
CREATE TABLE sca_card_counters (
  account_id           text NOT NULL REFERENCES accounts(id),
  livemode             boolean NOT NULL,
  card_fingerprint     text NOT NULL,
  exempted_count       integer NOT NULL DEFAULT 0 CHECK (exempted_count >= 0),
  exempted_amount_eur  bigint NOT NULL DEFAULT 0 CHECK (exempted_amount_eur >= 0),
  recurring_amount     bigint,
  recurring_currency   text,
  last_authenticated   bigint,
  updated              bigint NOT NULL,
  PRIMARY KEY (account_id, livemode, card_fingerprint)
);

-- Transaction risk analysis (RTS art. 18): null is off (the default); else {"fraud_rate_bps": n}, the acquirer's
-- fraud rate for remote card payments in hundredths of a percent, which sets the exemption's amount threshold.
ALTER TABLE account_settings ADD COLUMN sca_transaction_risk_analysis jsonb;
