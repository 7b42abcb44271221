import type pg from 'pg';
import { inTransaction, type Database } from '../platform/db.ts';
import type { Posting } from './accounts.ts';
import { chainHashOf, contentHashOf, genesisHash, imbalances, type LedgerEntry } from './entries.ts';
import { addToSealedBalances, chainHeadsOf, entriesWithPostings, saveChainHeads, trySealerLock, writeChainLinks, type ChainLink, type EntryWithPostings } from './sealer-repository.ts';

/** Entries sealed per transaction: bounds the sealer's lock time and memory. */
export const sealBatchMax = 5_000;

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
    if (!(await trySealerLock(client))) return 0;
    const rows = await entriesWithPostings(client, { sealed: false, limit: batchMax });
    if (rows.length === 0) return 0;
    for (const row of rows) {
      const problem = entryProblem(row);
      if (problem) throw new LedgerTamperedError(`refusing to seal: ${problem}`);
    }
    const heads = await loadHeads(client, rows);
    const links: ChainLink[] = [];
    const deltas = new Map<string, number>();
    for (const row of rows) {
      const key = `${row.account_id}\u0000${row.livemode}`;
      const head = heads.get(key) ?? { position: 0, hash: genesisHash };
      const next = { position: head.position + 1, hash: chainHashOf(head.hash, row.content_hash) };
      heads.set(key, next);
      links.push({ entryId: row.id, position: next.position, hash: next.hash });
      for (const posting of row.postings) {
        const account = [posting.owner_id, String(posting.livemode), posting.kind, posting.currency].join('\u0000');
        deltas.set(account, (deltas.get(account) ?? 0) + Number(posting.amount));
      }
    }
    const sealed = await writeChainLinks(client, links);
    if (sealed !== rows.length) throw new Error(`sealer raced: sealed ${sealed} of ${rows.length} entries`);
    await saveChainHeads(client, [...heads].map(([key, head]) => {
      const [accountId, livemode] = key.split('\u0000');
      return { accountId, livemode: livemode === 'true', position: head.position, hash: head.hash };
    }));
    await addToSealedBalances(client, [...deltas].map(([key, balance]) => {
      const [owner, livemode, kind, currency] = key.split('\u0000');
      return { owner_id: owner, livemode: livemode === 'true', kind, currency, balance };
    }));
    return rows.length;
  });
}

async function loadHeads(client: pg.PoolClient, rows: EntryWithPostings[]): Promise<Map<string, ChainHead>> {
  const ledgers = [...new Set(rows.map((row) => `${row.account_id}\u0000${row.livemode}`))].map((key) => {
    const [accountId, livemode] = key.split('\u0000');
    return { accountId, livemode: livemode === 'true' };
  });
  const found = await chainHeadsOf(client, ledgers);
  return new Map(found.map((row) => [`${row.account_id}\u0000${row.livemode}`, { position: Number(row.last_position), hash: row.last_hash }]));
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
