-- Connected accounts (Stripe Connect). A platform's connected account is an `accounts` row like any merchant's: its
-- customers, payments, balance and payouts are keyed by its own id, so every tenant-scoped path works for it
-- unchanged. This row ties it to its platform (`account_id`: the row's owner, as every object's account_id names its
-- owner), in the mode it was created in (a test-mode connected account does not exist in live mode, as at Stripe),
-- and holds what Connect knows of the business: its type or controller, business details, the representative or
-- company, the terms acceptance, and what the requirements engine derived (capabilities, requirements,
-- charges_enabled, payouts_enabled). Government id numbers and tax ids are encrypted in their own columns and never
-- rendered, only `*_provided`.
CREATE TABLE connected_accounts (
  seq                       bigserial NOT NULL,
  id                        text PRIMARY KEY REFERENCES accounts(id),
  -- The platform: the tenant this row belongs to (as every object's account_id names its owner).
  account_id                text NOT NULL REFERENCES accounts(id),
  livemode                  boolean NOT NULL,
  type                      text NOT NULL CHECK (type IN ('custom', 'express', 'standard', 'none')),
  controller                jsonb NOT NULL,
  email                     text,
  business_type             text CHECK (business_type IN ('individual', 'company', 'non_profit', 'government_entity')),
  business_profile          jsonb NOT NULL,
  individual                jsonb,
  company                   jsonb,
  id_number_encrypted       bytea,
  tax_id_encrypted          bytea,
  tos_acceptance            jsonb NOT NULL,
  capabilities              jsonb NOT NULL,
  requirements              jsonb NOT NULL,
  future_requirements       jsonb NOT NULL,
  charges_enabled           boolean NOT NULL DEFAULT false,
  payouts_enabled           boolean NOT NULL DEFAULT false,
  details_submitted         boolean NOT NULL DEFAULT false,
  metadata                  jsonb NOT NULL DEFAULT '{}',
  rejected_reason           text CHECK (rejected_reason IN ('fraud', 'terms_of_service', 'other')),
  -- When the requirements engine looks at the account again (a verification in progress): the connect sweep's queue.
  next_review_at            timestamptz,
  created                   bigint NOT NULL,
  CHECK (id <> account_id)
);
-- A platform's accounts, newest first (GET /v1/accounts), and the sweep's queue.
CREATE INDEX connected_accounts_platform ON connected_accounts (account_id, livemode, seq DESC);
CREATE INDEX connected_accounts_review ON connected_accounts (next_review_at) WHERE next_review_at IS NOT NULL;
