-- A provider's refund notification names the refund by the provider's reference (Adyen's REFUND carries the refund's
-- pspReference, and the payment's reference as merchantReference). The refund may belong to the configuration's own
-- account or, when the configuration is a platform's, to any of its connected accounts that route through it
-- (docs/connect.md, "Processing"), so the lookup cannot start from one account's refunds: it starts from the reference.
CREATE INDEX refunds_processor_reference ON refunds (processor_reference) WHERE processor_reference IS NOT NULL;
