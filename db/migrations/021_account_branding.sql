-- An account's branding (Stripe's settings.branding): the colours its customer-facing pages (hosted Checkout) use.
-- CSS hex colours (#rrggbb), checked by the API; null uses Payrail's own.
ALTER TABLE account_settings
  ADD COLUMN branding_primary_color text CHECK (branding_primary_color ~ '^#[0-9a-f]{6}$'),
  ADD COLUMN branding_secondary_color text CHECK (branding_secondary_color ~ '^#[0-9a-f]{6}$');
