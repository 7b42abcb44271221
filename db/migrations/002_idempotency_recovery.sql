-- Idempotency recovery points. `lock_token` identifies the request that holds a key: only it may store the response,
-- so a request that lost its key (its lock expired and a retry took over) cannot overwrite the retry's answer.
-- `recovery_resource` is set in the same transaction as the first committed step of a multi-step request (the
-- PaymentIntent whose attempt was recorded): a retry after a crash resumes that resource instead of running the
-- request again, so a crash between the steps can never charge twice.
ALTER TABLE idempotency_keys ADD COLUMN lock_token text;
ALTER TABLE idempotency_keys ADD COLUMN recovery_resource text;
