-- API key management: restricted keys with per-resource permissions, names, rolling with an overlap, and the last
-- characters of each key kept for display (as Stripe shows "sk_live_...4eC3").
ALTER TABLE api_keys DROP CONSTRAINT api_keys_kind_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_kind_check CHECK (kind IN ('secret', 'publishable', 'restricted'));
ALTER TABLE api_keys
  ADD COLUMN seq bigserial,
  ADD COLUMN name text,
  -- Restricted keys only: {"customer": "read", "payment_intent": "write", ...}; absent resources have no access.
  ADD COLUMN permissions jsonb,
  ADD COLUMN display_suffix text,
  -- A rolled key keeps working until then (the overlap); NULL: no expiry.
  ADD COLUMN expires_at bigint,
  -- The key that replaced this one when it was rolled.
  ADD COLUMN rolled_to text,
  ADD CONSTRAINT api_keys_restricted_permissions CHECK ((kind = 'restricted') = (permissions IS NOT NULL));
CREATE INDEX api_keys_account_mode ON api_keys (account_id, livemode, seq);
