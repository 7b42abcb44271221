-- Disputes (Stripe's /v1/disputes; docs/disputes.md): a cardholder questions a captured charge with their bank. The
-- built-in test processor opens them for Stripe's dispute test cards; the merchant answers with evidence or accepts.
-- At most one dispute per charge (UNIQUE charge_id), so the sweep that opens them can never open one twice.
CREATE TABLE disputes (
  seq                        bigserial NOT NULL,
  id                         text PRIMARY KEY,
  account_id                 text NOT NULL,
  livemode                   boolean NOT NULL,
  charge_id                  text NOT NULL UNIQUE REFERENCES charges(id),
  payment_intent_id          text REFERENCES payment_intents(id),
  amount                     bigint NOT NULL CHECK (amount > 0),
  currency                   text NOT NULL,
  status                     text NOT NULL CHECK (status IN ('warning_needs_response', 'warning_under_review', 'warning_closed', 'needs_response', 'under_review', 'won', 'lost')),
  reason                     text NOT NULL,
  -- Stripe's dispute_evidence: text fields as given, file fields as `file_` ids of the account's dispute_evidence files.
  evidence                   jsonb NOT NULL DEFAULT '{}',
  due_by                     bigint,
  submission_count           integer NOT NULL DEFAULT 0 CHECK (submission_count >= 0),
  is_charge_refundable       boolean NOT NULL,
  -- The `dispute` balance transactions: funds withdrawn when it opened, and reinstated when it was won (null until then).
  withdrawal_balance_transaction_id    text,
  reinstatement_balance_transaction_id text,
  metadata                   jsonb NOT NULL DEFAULT '{}',
  created                    bigint NOT NULL
);
CREATE INDEX disputes_list ON disputes (account_id, livemode, seq DESC);
CREATE INDEX disputes_payment_intent ON disputes (payment_intent_id) WHERE payment_intent_id IS NOT NULL;
CREATE INDEX disputes_created ON disputes (account_id, livemode, created);
-- The deadline sweep: open disputes waiting for an answer, by due date.
CREATE INDEX disputes_due ON disputes (due_by) WHERE status IN ('needs_response', 'warning_needs_response');

-- Stripe's charge.disputed.
ALTER TABLE charges ADD COLUMN disputed boolean NOT NULL DEFAULT false;
-- The sweep that opens disputes finds the test processor's disputed charges not yet disputed through this index.
CREATE INDEX charges_dispute_due ON charges (seq) WHERE processor_reference LIKE '%.dispute_%' AND NOT disputed;

-- Early fraud warnings (Stripe's radar.early_fraud_warning; docs/disputes.md): an issuer reports a captured charge as
-- fraud before any dispute. The test processor's early-fraud-warning test card (4000000000005423) gets one, at most
-- one per charge.
CREATE TABLE early_fraud_warnings (
  seq                bigserial NOT NULL,
  id                 text PRIMARY KEY,
  account_id         text NOT NULL,
  livemode           boolean NOT NULL,
  charge_id          text NOT NULL UNIQUE REFERENCES charges(id),
  payment_intent_id  text REFERENCES payment_intents(id),
  fraud_type         text NOT NULL,
  created            bigint NOT NULL
);
CREATE INDEX early_fraud_warnings_list ON early_fraud_warnings (account_id, livemode, seq DESC);
CREATE INDEX early_fraud_warnings_payment_intent ON early_fraud_warnings (payment_intent_id) WHERE payment_intent_id IS NOT NULL;
