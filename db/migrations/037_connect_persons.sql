-- The persons of a connected account (Stripe's Persons API, /v1/accounts/:account/persons): its representative,
-- owners, directors and executives. A person belongs to the connected account (`account_id`), in the mode the account
-- was made in; the platform reaches it through that account. What a person is (name, contact, date of birth, address,
-- `*_provided`, verification) is `details`, the same shape as an individual account's representative; the government
-- id number and the SSN's last four are encrypted in their own column, with the account and person ids as associated
-- data, and never rendered, only `id_number_provided` / `ssn_last_4_provided`.
CREATE TABLE connect_persons (
  seq                bigserial NOT NULL,
  id                 text PRIMARY KEY,
  account_id         text NOT NULL REFERENCES accounts(id),
  livemode           boolean NOT NULL,
  details            jsonb NOT NULL,
  relationship       jsonb NOT NULL,
  secrets_encrypted  bytea,
  metadata           jsonb NOT NULL DEFAULT '{}',
  created            bigint NOT NULL
);
-- An account's persons, newest first (GET /v1/accounts/:account/persons).
CREATE INDEX connect_persons_account ON connect_persons (account_id, livemode, seq DESC);
