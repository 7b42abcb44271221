import type { Queryable } from '../platform/db.ts';

/**
 * The SQL of the sealer and the verifier: stored entries read back with their postings, the hash chains' heads, the
 * sealed balances, and what the verifier compares them with.
 */

/** Key of the advisory lock that makes one sealer at a time (across every Payrail process). */
const sealerLockKey = 0x5ea1_1ed9;

export interface EntryWithPostings {
  seq: number;
  id: string;
  account_id: string;
  livemode: boolean;
  type: string;
  source_id: string | null;
  balance_transaction_id: string | null;
  resolves_entry_id: string | null;
  posting_count: number;
  created: number;
  content_hash: Buffer;
  chain_position: number | null;
  chain_hash: Buffer | null;
  postings: { line: number; line_count: number; owner_id: string; livemode: boolean; kind: string; currency: string; amount: number }[];
}

/** Where a read of sealed entries resumes: after this chain link, in (livemode, account, chain position) order. */
export interface SealedEntryPosition {
  livemode: boolean;
  accountId: string;
  chainPosition: number;
}

/**
 * Which entries to read: sealed ones in chain order (ledger by ledger), or unsealed ones in commit order (`seq`),
 * each after a position (keyset paging) and at most `limit`.
 */
export type EntrySelection =
  | { sealed: true; after?: SealedEntryPosition; limit: number }
  | { sealed: false; afterSeq?: number; limit: number };

/** Entries with their postings (in line order), for the sealer and the verifier. */
export async function entriesWithPostings(db: Queryable, selection: EntrySelection): Promise<EntryWithPostings[]> {
  const values: unknown[] = [selection.limit];
  let condition: string;
  let order: string;
  if (selection.sealed) {
    condition = 'e.chain_position IS NOT NULL';
    order = 'ORDER BY e.livemode, e.account_id, e.chain_position';
    if (selection.after) {
      values.push(selection.after.livemode, selection.after.accountId, selection.after.chainPosition);
      condition += ' AND (e.livemode, e.account_id, e.chain_position) > ($2::boolean, $3::text, $4::bigint)';
    }
  } else {
    condition = 'e.chain_position IS NULL';
    order = 'ORDER BY e.seq';
    if (selection.afterSeq !== undefined) {
      values.push(selection.afterSeq);
      condition += ' AND e.seq > $2::bigint';
    }
  }
  const result = await db.query<EntryWithPostings>(
    `SELECT e.*, coalesce((SELECT json_agg(json_build_object('line', p.line, 'line_count', p.line_count, 'owner_id', p.owner_id, 'livemode', p.livemode,
              'kind', p.kind, 'currency', p.currency, 'amount', p.amount) ORDER BY p.line)
            FROM ledger_postings p WHERE p.entry_id = e.id), '[]') AS postings
       FROM ledger_entries e WHERE ${condition} ${order} LIMIT $1`,
    values,
  );
  return result.rows;
}

/** Takes the sealer's lock until the transaction ends; false when another sealer holds it. */
export async function trySealerLock(client: Queryable): Promise<boolean> {
  const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [sealerLockKey]);
  return result.rows[0].locked;
}

/** One ledger: an account's entries in one mode. */
export interface LedgerKey {
  accountId: string;
  livemode: boolean;
}

export interface ChainHeadRow {
  account_id: string;
  livemode: boolean;
  last_position: number;
  last_hash: Buffer;
}

/** The chain heads of these ledgers (a ledger never sealed has none). */
export async function chainHeadsOf(client: Queryable, ledgers: readonly LedgerKey[]): Promise<ChainHeadRow[]> {
  const result = await client.query<ChainHeadRow>(
    `SELECT c.* FROM ledger_chains c JOIN unnest($1::text[], $2::boolean[]) AS k(account_id, livemode)
       ON c.account_id = k.account_id AND c.livemode = k.livemode`,
    [ledgers.map((ledger) => ledger.accountId), ledgers.map((ledger) => ledger.livemode)],
  );
  return result.rows;
}

/** Every chain head (for the verifier). */
export async function allChainHeads(db: Queryable): Promise<ChainHeadRow[]> {
  return (await db.query<ChainHeadRow>('SELECT * FROM ledger_chains')).rows;
}

/** An entry's place in its ledger's hash chain. */
export interface ChainLink {
  entryId: string;
  position: number;
  hash: Buffer;
}

/** Writes the chain links of entries not sealed yet; returns how many entries it sealed. */
export async function writeChainLinks(client: Queryable, links: readonly ChainLink[]): Promise<number> {
  const result = await client.query(
    `UPDATE ledger_entries e SET chain_position = v.position, chain_hash = v.hash
       FROM unnest($1::text[], $2::bigint[], $3::bytea[]) AS v(id, position, hash)
      WHERE e.id = v.id AND e.chain_position IS NULL`,
    [links.map((link) => link.entryId), links.map((link) => link.position), links.map((link) => link.hash)],
  );
  return result.rowCount ?? 0;
}

/** Sets each ledger's chain head to its last link. */
export async function saveChainHeads(client: Queryable, heads: readonly (LedgerKey & { position: number; hash: Buffer })[]): Promise<void> {
  await client.query(
    `INSERT INTO ledger_chains (account_id, livemode, last_position, last_hash)
     SELECT * FROM unnest($1::text[], $2::boolean[], $3::bigint[], $4::bytea[])
     ON CONFLICT (account_id, livemode) DO UPDATE SET last_position = excluded.last_position, last_hash = excluded.last_hash`,
    [heads.map((head) => head.accountId), heads.map((head) => head.livemode), heads.map((head) => head.position), heads.map((head) => head.hash)],
  );
}

/** A ledger account's sealed balance, or a change of it. */
export interface SealedBalance {
  owner_id: string;
  livemode: boolean;
  kind: string;
  currency: string;
  balance: number;
}

/** Adds each delta to its account's sealed balance (an account not seen before starts at 0). */
export async function addToSealedBalances(client: Queryable, deltas: readonly SealedBalance[]): Promise<void> {
  await client.query(
    `INSERT INTO ledger_balances (owner_id, livemode, kind, currency, balance)
     SELECT * FROM unnest($1::text[], $2::boolean[], $3::text[], $4::text[], $5::bigint[])
     ON CONFLICT (owner_id, livemode, kind, currency) DO UPDATE SET balance = ledger_balances.balance + excluded.balance`,
    [deltas.map((delta) => delta.owner_id), deltas.map((delta) => delta.livemode), deltas.map((delta) => delta.kind), deltas.map((delta) => delta.currency),
      deltas.map((delta) => delta.balance)],
  );
}

/** Every sealed balance (for the verifier). */
export async function allSealedBalances(db: Queryable): Promise<SealedBalance[]> {
  return (await db.query<SealedBalance>('SELECT * FROM ledger_balances')).rows;
}

export interface BalanceTransactionNet {
  seq: number;
  id: string;
  account_id: string;
  livemode: boolean;
  currency: string;
  net: number;
  status: string;
}

/** Balance transactions after `afterSeq`, in `seq` order, at most `limit` (for the verifier). */
export async function balanceTransactionNets(db: Queryable, afterSeq: number, limit: number): Promise<BalanceTransactionNet[]> {
  const result = await db.query<BalanceTransactionNet>(
    'SELECT seq, id, account_id, livemode, currency, net, status FROM balance_transactions WHERE seq > $1 ORDER BY seq LIMIT $2',
    [afterSeq, limit],
  );
  return result.rows;
}

/** The sum of every merchant pending and available posting, sealed or not, per ledger account (debit positive). */
export async function merchantPostingSums(db: Queryable): Promise<SealedBalance[]> {
  const result = await db.query<SealedBalance>(
    `SELECT owner_id, livemode, kind, currency, sum(amount)::bigint AS balance FROM ledger_postings
      WHERE kind IN ('merchant_pending', 'merchant_available') GROUP BY owner_id, livemode, kind, currency`,
  );
  return result.rows;
}
