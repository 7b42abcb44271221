-- Account Links (Stripe Connect): a platform's one-time, short-lived address of the hosted onboarding page for one of
-- its connected accounts. The token in the URL is never stored: only its SHA-256 (the token has 190 random bits, so a
-- plain hash cannot be reversed by guessing). A link can be opened once (`visited_at`); that visit starts a page
-- session whose secret, also stored hashed, the page's form carries back (it is the form's CSRF token too).
CREATE TABLE account_links (
  token_hash            bytea PRIMARY KEY,
  -- The platform that created the link (the row's owner) and the connected account it onboards.
  account_id            text NOT NULL REFERENCES accounts(id),
  connected_account_id  text NOT NULL REFERENCES accounts(id),
  livemode              boolean NOT NULL,
  type                  text NOT NULL CHECK (type IN ('account_onboarding', 'account_update')),
  collect               text NOT NULL CHECK (collect IN ('currently_due', 'eventually_due')),
  future_requirements   text NOT NULL CHECK (future_requirements IN ('include', 'omit')),
  refresh_url           text NOT NULL,
  return_url            text NOT NULL,
  created               bigint NOT NULL,
  expires_at            bigint NOT NULL,
  visited_at            bigint,
  session_hash          bytea,
  session_expires_at    bigint,
  CHECK ((visited_at IS NULL) = (session_hash IS NULL))
);
-- A connected account's links (tests and support look them up by account), and old links to purge.
CREATE INDEX account_links_connected_account ON account_links (connected_account_id);
CREATE INDEX account_links_expires_at ON account_links (expires_at);
