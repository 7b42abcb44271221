-- Test-mode boleto vouchers whose simulated customer pays later (Stripe's test e-mails): their attempts wait as
-- requires_action with next_sync_at set to when the payment comes, and the janitor's sweep looks them up by it
-- (src/payments/display-expiry-repository.ts findDueTestDisplayPayments). Other waiting attempts have no next_sync_at.
CREATE INDEX payment_attempts_display_due ON payment_attempts (next_sync_at) WHERE status = 'requires_action' AND next_sync_at IS NOT NULL;
