import type pg from 'pg';
import { inTransaction, type Database } from '../platform/db.ts';
import type { Posting } from './accounts.ts';
import { chainHashOf, contentHashOf, genesisHash, imbalances, type LedgerEntry } from './entries.ts';
import { entriesWithPostings, type EntryWithPostings } from './repository.ts';

/** Entries sealed per transaction: bounds the sealer's lock time and memory. */
export const sealBatchMax = 5_000;
/** Key of the advisory lock that makes one sealer at a time (across every Payrail process). */
const sealerLockKey = 0x5ea1_1ed9;

/** A stored entry read back as the value its content hash covers. */
export function entryFromRow(row: EntryWithPostings): Omit<LedgerEntry, 'contentHash'> {
  return {
    id: row.id,
    accountId: row.account_id,
    livemode: row.livemode,
    type: row.type as LedgerEntry['type'],
    sourceId: row.source_id,
    balanceTransactionId: row.balance_transaction_id,
    resolvesEntryId: row.resolves_entry_id,
    created: Number(row.created),
    postings: row.postings.map((posting): Posting => ({ owner: posting.owner_id, kind: posting.kind as Posting['kind'], currency: posting.currency, amount: Number(posting.amount) })),
  };
}

/** What is wrong with one stored entry on its own (hash, completeness, balance), or undefined. */
export function entryProblem(row: EntryWithPostings): string | undefined {
  if (row.postings.length !== row.posting_count) return `entry ${row.id} has ${row.postings.length} postings, expected ${row.posting_count}`;
  if (row.postings.some((posting, index) => posting.line !== index + 1 || posting.line_count !== row.posting_count || posting.livemode !== row.livemode)) {
    return `entry ${row.id} has postings out of line or of another mode`;
  }
  const entry = entryFromRow(row);
  const unbalanced = imbalances(entry.postings);
  if (unbalanced.size > 0) return `entry ${row.id} does not balance: ${[...unbalanced].map(([currency, sum]) => `${currency} off by ${sum}`).join(', ')}`;
  if (!contentHashOf(entry).equals(row.content_hash)) return `entry ${row.id} does not match its content hash (an entry or posting was changed)`;
  return undefined;
}

export class LedgerTamperedError extends Error {}

interface ChainHead {
  position: number;
  hash: Buffer;
}

/**
 * Seals committed entries: appends each to its ledger's hash chain (in commit-visible order) and adds its postings
 * to the sealed balances, all in one transaction. An entry that fails its own checks is never sealed: sealing it
 * would bless a tampered row, so the sealer stops and says which entry (`payrail ledger verify` reports all).
 * Returns how many entries were sealed; 0 when another sealer holds the lock.
 */
export async function sealLedger(db: Database, batchMax = sealBatchMax): Promise<number> {
  return inTransaction(db, async (client) => {
    const locked = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [sealerLockKey]);
    if (!locked.rows[0].locked) return 0;
    const rows = await entriesWithPostings(client, 'e.chain_position IS NULL', [batchMax], 'ORDER BY e.seq LIMIT $1');
    if (rows.length === 0) return 0;
    for (const row of rows) {
      const problem = entryProblem(row);
      if (problem) throw new LedgerTamperedError(`refusing to seal: ${problem}`);
    }
    const heads = await loadHeads(client, rows);
    const ids: string[] = [];
    const positions: number[] = [];
    const hashes: Buffer[] = [];
    const deltas = new Map<string, number>();
    for (const row of rows) {
      const key = `${row.account_id}\u0000${row.livemode}`;
      const head = heads.get(key) ?? { position: 0, hash: genesisHash };
      const next = { position: head.position + 1, hash: chainHashOf(head.hash, row.content_hash) };
      heads.set(key, next);
      ids.push(row.id);
      positions.push(next.position);
      hashes.push(next.hash);
      for (const posting of row.postings) {
        const account = [posting.owner_id, String(posting.livemode), posting.kind, posting.currency].join('\u0000');
        deltas.set(account, (deltas.get(account) ?? 0) + Number(posting.amount));
      }
    }
    const sealed = await client.query(
      `UPDATE ledger_entries e SET chain_position = v.position, chain_hash = v.hash
         FROM unnest($1::text[], $2::bigint[], $3::bytea[]) AS v(id, position, hash)
        WHERE e.id = v.id AND e.chain_position IS NULL`,
      [ids, positions, hashes],
    );
    if (sealed.rowCount !== rows.length) throw new Error(`sealer raced: sealed ${sealed.rowCount} of ${rows.length} entries`);
    const headKeys = [...heads.keys()].map((key) => key.split('\u0000'));
    await client.query(
      `INSERT INTO ledger_chains (account_id, livemode, last_position, last_hash)
       SELECT * FROM unnest($1::text[], $2::boolean[], $3::bigint[], $4::bytea[])
       ON CONFLICT (account_id, livemode) DO UPDATE SET last_position = excluded.last_position, last_hash = excluded.last_hash`,
      [headKeys.map(([account]) => account), headKeys.map(([, livemode]) => livemode === 'true'),
        [...heads.values()].map((head) => head.position), [...heads.values()].map((head) => head.hash)],
    );
    const accounts = [...deltas.keys()].map((key) => key.split('\u0000'));
    await client.query(
      `INSERT INTO ledger_balances (owner_id, livemode, kind, currency, balance)
       SELECT * FROM unnest($1::text[], $2::boolean[], $3::text[], $4::text[], $5::bigint[])
       ON CONFLICT (owner_id, livemode, kind, currency) DO UPDATE SET balance = ledger_balances.balance + excluded.balance`,
      [accounts.map((parts) => parts[0]), accounts.map((parts) => parts[1] === 'true'), accounts.map((parts) => parts[2]), accounts.map((parts) => parts[3]), [...deltas.values()]],
    );
    return rows.length;
  });
}

async function loadHeads(client: pg.PoolClient, rows: EntryWithPostings[]): Promise<Map<string, ChainHead>> {
  const accounts = [...new Set(rows.map((row) => `${row.account_id}\u0000${row.livemode}`))].map((key) => key.split('\u0000'));
  const result = await client.query<{ account_id: string; livemode: boolean; last_position: number; last_hash: Buffer }>(
    `SELECT c.* FROM ledger_chains c JOIN unnest($1::text[], $2::boolean[]) AS k(account_id, livemode)
       ON c.account_id = k.account_id AND c.livemode = k.livemode`,
    [accounts.map(([account]) => account), accounts.map(([, livemode]) => livemode === 'true')],
  );
  return new Map(result.rows.map((row) => [`${row.account_id}\u0000${row.livemode}`, { position: Number(row.last_position), hash: row.last_hash }]));
}

/** Seals until nothing committed is left unsealed (tests and `ledger verify --seal`). */
export async function sealAll(db: Database): Promise<number> {
  let total = 0;
  for (;;) {
    const sealed = await sealLedger(db);
    total += sealed;
    if (sealed < sealBatchMax) return total;
  }
}
