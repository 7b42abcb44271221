-- SetupIntents for sepa_debit (docs/setup-intents.md): a SEPA SetupIntent succeeds with a new multi-use mandate, shown
-- as Stripe's `setup_intent.mandate`. Cards have none (null).
ALTER TABLE setup_intents ADD COLUMN mandate_id text;
