-- Embedded Checkout (ui_mode embedded): the page mounted in the merchant's own page through payrail.js. Such a session
-- has no public URL; its client secret opens it, and the shopper comes back to its return_url.
ALTER TABLE checkout_sessions DROP CONSTRAINT checkout_sessions_ui_mode_check;
ALTER TABLE checkout_sessions ADD CONSTRAINT checkout_sessions_ui_mode_check CHECK (ui_mode IN ('hosted', 'embedded'));
ALTER TABLE checkout_sessions
  ADD COLUMN client_secret text,
  ADD COLUMN return_url text,
  ADD COLUMN redirect_on_completion text CHECK (redirect_on_completion IN ('always', 'if_required', 'never')),
  ADD CONSTRAINT checkout_sessions_embedded_secret CHECK ((ui_mode = 'embedded') = (client_secret IS NOT NULL));
