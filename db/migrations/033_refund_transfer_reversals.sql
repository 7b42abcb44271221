-- The transfer reversal a refund with reverse_transfer=true made (Stripe's refund `transfer_reversal`); NULL for every
-- other refund, and never written by an ordinary refund's statements.
ALTER TABLE refunds ADD COLUMN transfer_reversal_id text;
