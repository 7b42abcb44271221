-- Connect reserves (src/connect/reserves.ts): the negative available balances of connected accounts whose losses their
-- platform bears, as the reserve sweep last saw them, with when each was first seen negative. The platform's reserve
-- itself is ledger balance (kind merchant_connect_reserved); this table only remembers since when an account has been
-- negative, so that a negative balance older than 180 days can be cleared from the reserve, as at Stripe.
CREATE TABLE connect_negative_balances (
  account_id   text NOT NULL REFERENCES accounts(id),
  livemode     boolean NOT NULL,
  currency     text NOT NULL,
  -- The platform that bears the account's losses (connected_accounts.account_id).
  platform_id  text NOT NULL REFERENCES accounts(id),
  -- Unix seconds: the sweep that first found the balance negative.
  since        bigint NOT NULL,
  PRIMARY KEY (account_id, livemode, currency)
);
