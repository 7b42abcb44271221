-- Ledger, balances, fees, settlement and payouts.
--
-- The ledger is double-entry. A ledger account is the tuple (owner, livemode, kind, currency): owner is a merchant
-- account id or 'platform'. A ledger entry (journal entry) is a set of postings; a posting's amount is signed
-- (debit positive, credit negative) and every entry sums to zero in each currency. Postings are never updated or
-- deleted (triggers below refuse it); a correction is a reversing entry.
--
-- Balances are kept off the payment path: an entry is written with its postings and its own content hash, in the
-- same transaction as the state change. The sealer (src/ledger/sealer.ts) later appends committed entries to their
-- ledger's hash chain (one chain per owner account and mode) and adds their postings to `ledger_balances`, in one
-- transaction. A balance read is therefore `ledger_balances` plus the postings of entries not yet sealed, which is
-- consistent in any snapshot, and no payment ever waits on a hot balance row or chain head.

CREATE TABLE ledger_entries (
  seq                bigserial NOT NULL,
  id                 text PRIMARY KEY,
  -- The ledger (hash chain) the entry belongs to: the merchant account whose money moved, and the mode.
  account_id         text NOT NULL,
  livemode           boolean NOT NULL,
  type               text NOT NULL,
  -- The API object that caused it (ch_, re_, po_, ...) and the balance transaction it created, if any.
  source_id          text,
  balance_transaction_id text,
  -- Two-phase movements: a capture or void entry resolves the authorization hold entry it names, at most once.
  resolves_entry_id  text,
  posting_count      integer NOT NULL CHECK (posting_count >= 2),
  created            bigint NOT NULL,
  -- SHA-256 over the entry's canonical content and postings (src/ledger/hashing.ts).
  content_hash       bytea NOT NULL,
  -- Set once by the sealer: position in the chain and SHA-256(previous chain hash || content hash).
  chain_position     bigint,
  chain_hash         bytea
);
-- Index entries cost the payment path, so an entry written by a payment touches two indexes only: its primary key
-- and the unsealed queue (small: the sealer drains it every second). The uniqueness of chain positions and of
-- resolved holds is enforced by partial indexes that a payment's insert does not touch (NULL on insert; the sealer
-- sets positions; only captures and voids of holds name one).
CREATE INDEX ledger_entries_unsealed ON ledger_entries (seq) WHERE chain_position IS NULL;
CREATE UNIQUE INDEX ledger_entries_chain_position ON ledger_entries (account_id, livemode, chain_position) WHERE chain_position IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_resolves ON ledger_entries (resolves_entry_id) WHERE resolves_entry_id IS NOT NULL;

CREATE TABLE ledger_postings (
  entry_id    text NOT NULL,
  line        smallint NOT NULL,
  line_count  smallint NOT NULL,
  owner_id    text NOT NULL,
  livemode    boolean NOT NULL,
  kind        text NOT NULL,
  currency    text NOT NULL,
  amount      bigint NOT NULL CHECK (amount <> 0),
  -- Lines 1..line_count, each once: together with the trigger's count check, an entry's postings are exactly the
  -- rows of the one statement that wrote them; a later statement cannot add to it.
  PRIMARY KEY (entry_id, line),
  CHECK (line BETWEEN 1 AND line_count)
);

-- Every statement that writes postings writes whole, balanced entries of existing ledger entries.
CREATE FUNCTION ledger_postings_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
  unbalanced_currency text;
BEGIN
  -- One pass over the statement's postings: per entry, complete (lines 1..line_count, one line_count), balanced in
  -- every currency, and matching an existing entry's posting_count.
  SELECT p.entry_id, p.unbalanced, e.id IS NULL AS orphan INTO bad
    FROM (SELECT entry_id, sum(lines) AS lines, min(least_count) AS least_count, max(most_count) AS most_count, bool_or(total <> 0) AS unbalanced
            FROM (SELECT entry_id, currency, sum(amount) AS total, count(*) AS lines, min(line_count) AS least_count, max(line_count) AS most_count
                    FROM new_postings GROUP BY entry_id, currency) per_currency
           GROUP BY entry_id) p
    LEFT JOIN ledger_entries e ON e.id = p.entry_id
   WHERE p.unbalanced OR p.lines <> p.most_count OR p.least_count <> p.most_count OR e.id IS NULL OR e.posting_count <> p.most_count
   LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  ELSIF bad.unbalanced THEN
    SELECT n.currency INTO unbalanced_currency FROM new_postings n WHERE n.entry_id = bad.entry_id GROUP BY n.currency HAVING sum(n.amount) <> 0 LIMIT 1;
    RAISE EXCEPTION 'ledger entry % does not balance in %', bad.entry_id, unbalanced_currency USING ERRCODE = 'check_violation';
  ELSIF bad.orphan THEN
    RAISE EXCEPTION 'postings of ledger entry % do not match an entry', bad.entry_id USING ERRCODE = 'foreign_key_violation';
  ELSE
    RAISE EXCEPTION 'ledger entry % is incomplete: its postings must all be written in one statement', bad.entry_id
      USING ERRCODE = 'check_violation';
  END IF;
END $$;
CREATE TRIGGER ledger_postings_balanced AFTER INSERT ON ledger_postings
  REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_postings_balanced();

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger % are immutable: post a reversing entry instead', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER ledger_postings_immutable BEFORE UPDATE OR DELETE ON ledger_postings
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- An entry's content never changes; only the sealer may set its chain position and hash, once.
CREATE FUNCTION ledger_entries_seal_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'ledger entries are immutable: post a reversing entry instead' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.chain_position IS NOT NULL
     OR (NEW.seq, NEW.id, NEW.account_id, NEW.livemode, NEW.type, NEW.source_id, NEW.balance_transaction_id, NEW.resolves_entry_id,
         NEW.posting_count, NEW.created, NEW.content_hash)
        IS DISTINCT FROM
        (OLD.seq, OLD.id, OLD.account_id, OLD.livemode, OLD.type, OLD.source_id, OLD.balance_transaction_id, OLD.resolves_entry_id,
         OLD.posting_count, OLD.created, OLD.content_hash) THEN
    RAISE EXCEPTION 'ledger entry % is immutable once written; only an unsealed entry may be sealed', OLD.id USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_seal_only();

-- Sealed balances: the sum of the postings of every sealed entry, per ledger account. Written only by the sealer.
CREATE TABLE ledger_balances (
  owner_id  text NOT NULL,
  livemode  boolean NOT NULL,
  kind      text NOT NULL,
  currency  text NOT NULL,
  balance   bigint NOT NULL,
  PRIMARY KEY (owner_id, livemode, kind, currency)
);

-- The head of each ledger's hash chain.
CREATE TABLE ledger_chains (
  account_id     text NOT NULL,
  livemode       boolean NOT NULL,
  last_position  bigint NOT NULL,
  last_hash      bytea NOT NULL,
  PRIMARY KEY (account_id, livemode)
);

-- Stripe balance transactions: one per movement of a merchant's funds (charge, refund, payout, ...).
CREATE TABLE balance_transactions (
  seq                 bigserial NOT NULL,
  id                  text PRIMARY KEY,
  account_id          text NOT NULL,
  livemode            boolean NOT NULL,
  type                text NOT NULL,
  reporting_category  text NOT NULL,
  source_id           text,
  amount              bigint NOT NULL,
  fee                 bigint NOT NULL DEFAULT 0,
  fee_details         jsonb NOT NULL DEFAULT '[]',
  net                 bigint NOT NULL,
  currency            text NOT NULL,
  -- Decimal text (e.g. '1.08571'): presentment currency to settlement currency, when they differ.
  exchange_rate       numeric,
  status              text NOT NULL CHECK (status IN ('pending', 'available')),
  available_on        bigint NOT NULL,
  description         text,
  -- The automatic payout that paid this transaction out (Stripe's `payout` list filter).
  payout_id           text,
  created             bigint NOT NULL,
  CHECK (net = amount - fee)
);
CREATE INDEX balance_transactions_list ON balance_transactions (account_id, livemode, seq DESC);
CREATE INDEX balance_transactions_source ON balance_transactions (source_id);
CREATE INDEX balance_transactions_maturing ON balance_transactions (available_on) WHERE status = 'pending';
CREATE INDEX balance_transactions_payout ON balance_transactions (payout_id) WHERE payout_id IS NOT NULL;

ALTER TABLE charges ADD COLUMN balance_transaction_id text;
-- The authorization hold entry of a manual-capture charge (resolved by its capture or void).
ALTER TABLE charges ADD COLUMN hold_entry_id text;
-- Presentment-to-settlement exchange rate applied at capture, reused by refunds of the charge.
ALTER TABLE charges ADD COLUMN settlement_currency text;
ALTER TABLE charges ADD COLUMN exchange_rate numeric;
ALTER TABLE refunds ADD COLUMN balance_transaction_id text;
ALTER TABLE refunds ADD COLUMN failure_balance_transaction_id text;

-- Per-account settings: settlement currency, payout schedule (delay_days is also the settlement delay, as at
-- Stripe), country (for the international card surcharge) and pricing overrides of the platform defaults.
CREATE TABLE account_settings (
  account_id               text PRIMARY KEY REFERENCES accounts(id),
  country                  text NOT NULL DEFAULT 'US',
  default_currency         text NOT NULL DEFAULT 'usd',
  -- Currencies the account settles in besides its default; charges in other currencies are converted.
  settlement_currencies    text[] NOT NULL DEFAULT '{}',
  payout_interval          text NOT NULL DEFAULT 'daily' CHECK (payout_interval IN ('manual', 'daily', 'weekly', 'monthly')),
  payout_delay_days        integer NOT NULL DEFAULT 2 CHECK (payout_delay_days BETWEEN 0 AND 365),
  payout_weekly_anchor     text NOT NULL DEFAULT 'monday',
  payout_monthly_anchor    integer NOT NULL DEFAULT 1 CHECK (payout_monthly_anchor BETWEEN 1 AND 31),
  debit_negative_balances  boolean NOT NULL DEFAULT true,
  -- Pricing overrides (src/fees/pricing.ts), merged over the platform defaults.
  pricing                  jsonb NOT NULL DEFAULT '{}',
  updated                  bigint NOT NULL
);

-- Exchange rates: units of `quote` per one unit of `base` (major units), from the rates file or set by operators.
CREATE TABLE exchange_rates (
  base     text NOT NULL,
  quote    text NOT NULL,
  rate     numeric NOT NULL CHECK (rate > 0),
  source   text NOT NULL,
  updated  bigint NOT NULL,
  PRIMARY KEY (base, quote)
);

-- Bank accounts that payouts are sent to (Stripe's external accounts of type bank_account).
CREATE TABLE external_accounts (
  seq                   bigserial NOT NULL,
  id                    text PRIMARY KEY,
  account_id            text NOT NULL,
  livemode              boolean NOT NULL,
  country               text NOT NULL,
  currency              text NOT NULL,
  account_holder_name   text,
  account_holder_type   text,
  bank_name             text,
  routing_number        text,
  last4                 text NOT NULL,
  fingerprint           text NOT NULL,
  -- AES-256-GCM ciphertext of the account number or IBAN (never stored in plain text).
  account_number_encrypted bytea NOT NULL,
  default_for_currency  boolean NOT NULL DEFAULT false,
  status                text NOT NULL DEFAULT 'new',
  metadata              jsonb NOT NULL DEFAULT '{}',
  deleted               boolean NOT NULL DEFAULT false,
  created               bigint NOT NULL
);
CREATE INDEX external_accounts_list ON external_accounts (account_id, livemode, seq DESC) WHERE NOT deleted;
CREATE UNIQUE INDEX external_accounts_default ON external_accounts (account_id, livemode, currency) WHERE default_for_currency AND NOT deleted;

CREATE TABLE payouts (
  seq                     bigserial NOT NULL,
  id                      text PRIMARY KEY,
  account_id              text NOT NULL,
  livemode                boolean NOT NULL,
  -- Negative for a debit of the bank account: an automatic payout reclaiming a negative balance.
  amount                  bigint NOT NULL CHECK (amount <> 0),
  currency                text NOT NULL,
  status                  text NOT NULL CHECK (status IN ('pending', 'in_transit', 'paid', 'failed', 'canceled')),
  automatic               boolean NOT NULL,
  method                  text NOT NULL DEFAULT 'standard',
  destination_id          text NOT NULL,
  description             text,
  statement_descriptor    text,
  arrival_date            bigint NOT NULL,
  failure_code            text,
  failure_message         text,
  failure_balance_transaction_id text,
  balance_transaction_id  text,
  -- The payout provider's reference; the provider call is idempotent on the payout id.
  provider_reference      text,
  metadata                jsonb NOT NULL DEFAULT '{}',
  created                 bigint NOT NULL
);
CREATE INDEX payouts_list ON payouts (account_id, livemode, seq DESC);
CREATE INDEX payouts_open ON payouts (arrival_date) WHERE status IN ('pending', 'in_transit');
-- One automatic payout per account, mode, currency and payout day.
CREATE TABLE payout_runs (
  account_id  text NOT NULL,
  livemode    boolean NOT NULL,
  currency    text NOT NULL,
  payout_day  date NOT NULL,
  payout_id   text,
  PRIMARY KEY (account_id, livemode, currency, payout_day)
);

-- The sandbox payout provider's own records (it stands in for a bank rail): one transfer per idempotency key.
CREATE TABLE sandbox_payout_transfers (
  idempotency_key  text PRIMARY KEY,
  reference        text NOT NULL UNIQUE,
  amount           bigint NOT NULL,
  currency         text NOT NULL,
  account_number_last4 text NOT NULL,
  outcome          text NOT NULL,
  created          bigint NOT NULL
);
