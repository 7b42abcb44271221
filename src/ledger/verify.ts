import { inTransaction, type Database, type Queryable } from '../platform/db.ts';
import { merchantKinds, platformOwner, type LedgerKind } from './accounts.ts';
import { chainHashOf, genesisHash } from './entries.ts';
import { entryProblem } from './sealer.ts';
import { allChainHeads, allSealedBalances, balanceTransactionNets, entriesWithPostings, merchantPostingSums, type SealedEntryPosition } from './sealer-repository.ts';

/** Entries read per batch while verifying (memory stays bounded on a large ledger). */
export const verifyBatchMax = 5_000;
/** Problems listed in a report; the count is always exact. */
export const reportedProblemsMax = 100;

export interface VerifyReport {
  ok: boolean;
  entries: number;
  postings: number;
  sealedEntries: number;
  chains: number;
  balanceTransactions: number;
  problemCount: number;
  problems: string[];
}

/**
 * Recomputes the ledger from its postings and checks, without changing anything:
 * - every entry is complete, balances in each currency and matches its content hash;
 * - merchant postings belong to the entry's own ledger, platform postings to the platform;
 * - each ledger's hash chain runs 1..n without gaps, each link SHA-256(previous || content hash), ending at its head;
 * - sealed balances equal the sum of the sealed postings, account by account;
 * - two-phase: a resolving entry names an authorization hold of its ledger, and voids exactly that hold's amount;
 * - every balance transaction has its entry, whose merchant postings equal its net, and the pending and available
 *   balances equal the sums of their balance transactions;
 * - Connect: `connect_clearing` sums to zero per mode and currency (each movement between a platform and a connected
 *   account is two entries of one statement whose clearing postings cancel out).
 */
export async function verifyLedger(db: Queryable): Promise<VerifyReport> {
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (message: string) => {
    problemCount += 1;
    if (problems.length < reportedProblemsMax) problems.push(message);
  };
  let entries = 0;
  let postings = 0;
  let sealedEntries = 0;
  const chains = new Map<string, { position: number; hash: Buffer }>();
  const sealedSums = new Map<string, number>();
  const holds = new Map<string, { account: string; amount: number; currency: string }>();
  const resolutions: { id: string; account: string; resolves: string; released: Map<string, number> }[] = [];
  const transactionNets = new Map<string, { currency: string; net: number }[]>();
  const connectClearing = new Map<string, number>();

  // Sealed entries in chain order first, then the unsealed ones: chain links are checked in sequence.
  for (const sealed of [true, false]) {
    let afterLink: SealedEntryPosition | undefined;
    let afterEntrySeq: number | undefined;
    for (;;) {
      const rows = await entriesWithPostings(db, sealed ? { sealed, after: afterLink, limit: verifyBatchMax } : { sealed, afterSeq: afterEntrySeq, limit: verifyBatchMax });
      if (rows.length === 0) break;
      for (const row of rows) {
        entries += 1;
        postings += row.postings.length;
        const own = entryProblem(row);
        if (own) problem(own);
        for (const posting of row.postings) {
          const merchantPosting = merchantKinds.has(posting.kind as LedgerKind);
          if (merchantPosting && posting.owner_id !== row.account_id) problem(`entry ${row.id} posts to merchant account ${posting.owner_id}'s ${posting.kind} from ledger ${row.account_id}`);
          if (!merchantPosting && posting.owner_id !== platformOwner) problem(`entry ${row.id} posts platform kind ${posting.kind} to owner ${posting.owner_id}`);
          if (posting.kind === 'connect_clearing') {
            const key = `${posting.livemode ? 'live' : 'test'} ${posting.currency}`;
            connectClearing.set(key, (connectClearing.get(key) ?? 0) + Number(posting.amount));
          }
        }
        if (row.type === 'authorization_hold') {
          const held = row.postings.find((posting) => posting.kind === 'merchant_authorized');
          if (held) holds.set(row.id, { account: row.account_id, amount: -Number(held.amount), currency: held.currency });
        }
        if (row.resolves_entry_id) {
          const released = new Map<string, number>();
          for (const posting of row.postings) if (posting.kind === 'merchant_authorized') released.set(posting.currency, (released.get(posting.currency) ?? 0) + Number(posting.amount));
          resolutions.push({ id: row.id, account: row.account_id, resolves: row.resolves_entry_id, released });
        }
        if (row.balance_transaction_id) {
          const nets = new Map<string, number>();
          for (const posting of row.postings) {
            if (posting.kind === 'merchant_pending' || posting.kind === 'merchant_available') nets.set(posting.currency, (nets.get(posting.currency) ?? 0) - Number(posting.amount));
          }
          const list = transactionNets.get(row.balance_transaction_id) ?? [];
          list.push(...[...nets].map(([currency, net]) => ({ currency, net })));
          transactionNets.set(row.balance_transaction_id, list);
        }
        if (sealed) {
          sealedEntries += 1;
          const key = `${row.account_id}\u0000${row.livemode}`;
          const head = chains.get(key) ?? { position: 0, hash: genesisHash };
          const expected = chainHashOf(head.hash, row.content_hash);
          if (Number(row.chain_position) !== head.position + 1) problem(`ledger ${row.account_id} (${row.livemode ? 'live' : 'test'}): entry ${row.id} is at chain position ${row.chain_position}, expected ${head.position + 1} (an entry is missing or moved)`);
          if (!row.chain_hash || !expected.equals(row.chain_hash)) problem(`ledger ${row.account_id} (${row.livemode ? 'live' : 'test'}): hash chain broken at entry ${row.id} (position ${row.chain_position})`);
          chains.set(key, { position: Number(row.chain_position), hash: row.chain_hash ?? expected });
          for (const posting of row.postings) {
            const account = [posting.owner_id, posting.livemode, posting.kind, posting.currency].join('\u0000');
            sealedSums.set(account, (sealedSums.get(account) ?? 0) + Number(posting.amount));
          }
        }
      }
      const last = rows[rows.length - 1];
      if (sealed) afterLink = { livemode: last.livemode, accountId: last.account_id, chainPosition: Number(last.chain_position) };
      else afterEntrySeq = Number(last.seq);
    }
  }

  // Money between platforms and connected accounts leaves the clearing account as it came in.
  for (const [key, sum] of connectClearing) if (sum !== 0) problem(`connect_clearing ${key} sums to ${sum}: a Connect movement is missing one of its two entries`);

  // Chain heads agree with the last sealed entry of each chain.
  const heads = await allChainHeads(db);
  for (const head of heads) {
    const key = `${head.account_id}\u0000${head.livemode}`;
    const seen = chains.get(key);
    if (!seen || seen.position !== Number(head.last_position) || !seen.hash.equals(head.last_hash)) {
      problem(`ledger ${head.account_id} (${head.livemode ? 'live' : 'test'}): chain head says position ${head.last_position}, entries end at ${seen?.position ?? 0}`);
    }
    chains.delete(key);
  }
  for (const key of chains.keys()) problem(`ledger ${key.split('\u0000')[0]}: sealed entries but no chain head`);

  // Sealed balances equal the sum of the sealed postings.
  for (const row of await allSealedBalances(db)) {
    const key = [row.owner_id, row.livemode, row.kind, row.currency].join('\u0000');
    const sum = sealedSums.get(key) ?? 0;
    if (sum !== Number(row.balance)) problem(`balance of ${row.owner_id} ${row.livemode ? 'live' : 'test'} ${row.kind} ${row.currency} is ${row.balance}, its postings sum to ${sum}`);
    sealedSums.delete(key);
  }
  for (const [key, sum] of sealedSums) if (sum !== 0) problem(`ledger account ${key.split('\u0000').join(' ')} has postings summing to ${sum} but no sealed balance`);

  // Two-phase movements resolve a hold of their own ledger, releasing exactly what it held.
  for (const resolution of resolutions) {
    const hold = holds.get(resolution.resolves);
    if (!hold || hold.account !== resolution.account) {
      problem(`entry ${resolution.id} resolves ${resolution.resolves}, which is not an authorization hold of its ledger`);
    } else if (resolution.released.get(hold.currency) !== hold.amount || resolution.released.size !== 1) {
      problem(`entry ${resolution.id} releases ${JSON.stringify([...resolution.released])} of hold ${resolution.resolves}, which held ${hold.amount} ${hold.currency}`);
    }
  }

  // Balance transactions: each has its entry with matching net; balances equal their transactions.
  let balanceTransactions = 0;
  const pendingByAccount = new Map<string, number>();
  const availableByAccount = new Map<string, number>();
  let afterSeq = 0;
  for (;;) {
    const batch = await balanceTransactionNets(db, afterSeq, verifyBatchMax);
    if (batch.length === 0) break;
    for (const transaction of batch) {
      balanceTransactions += 1;
      const posted = transactionNets.get(transaction.id);
      if (!posted) {
        problem(`balance transaction ${transaction.id} has no ledger entry`);
      } else {
        const net = posted.filter((part) => part.currency === transaction.currency).reduce((sum, part) => sum + part.net, 0);
        if (net !== Number(transaction.net) || posted.some((part) => part.currency !== transaction.currency && part.net !== 0)) {
          problem(`balance transaction ${transaction.id} says net ${transaction.net} ${transaction.currency}, its entry moved ${JSON.stringify(posted)}`);
        }
      }
      transactionNets.delete(transaction.id);
      const key = [transaction.account_id, transaction.livemode, transaction.currency].join('\u0000');
      const target = transaction.status === 'pending' ? pendingByAccount : availableByAccount;
      target.set(key, (target.get(key) ?? 0) + Number(transaction.net));
    }
    afterSeq = Number(batch[batch.length - 1].seq);
  }
  for (const id of transactionNets.keys()) problem(`ledger entries name balance transaction ${id}, which does not exist`);
  const derived = { merchant_pending: new Map<string, number>(), merchant_available: new Map<string, number>() };
  for (const row of await merchantPostingSums(db)) derived[row.kind as 'merchant_pending' | 'merchant_available'].set([row.owner_id, row.livemode, row.currency].join('\u0000'), -Number(row.balance));
  for (const [kind, fromTransactions] of [['merchant_pending', pendingByAccount], ['merchant_available', availableByAccount]] as const) {
    const fromLedger = derived[kind];
    for (const key of new Set([...fromLedger.keys(), ...fromTransactions.keys()])) {
      const ledger = fromLedger.get(key) ?? 0;
      const transactions = fromTransactions.get(key) ?? 0;
      if (ledger !== transactions) problem(`${kind.replace('merchant_', '')} balance of ${key.split('\u0000').join(' ')} is ${ledger} in the ledger but ${transactions} by its balance transactions`);
    }
  }

  return { ok: problemCount === 0, entries, postings, sealedEntries, chains: heads.length, balanceTransactions, problemCount, problems };
}

/** Verifies inside one read-only REPEATABLE READ snapshot, so concurrent payments cannot make it see half a movement. */
export async function verifyLedgerSnapshot(pool: Database): Promise<VerifyReport> {
  return inTransaction(pool, verifyLedger, { snapshot: true });
}

export function formatReport(report: VerifyReport): string {
  const lines = [
    `ledger verify: ${report.ok ? 'OK' : `${report.problemCount} problem(s)`}`,
    `  entries ${report.entries} (sealed ${report.sealedEntries}), postings ${report.postings}, chains ${report.chains}, balance transactions ${report.balanceTransactions}`,
  ];
  for (const problem of report.problems) lines.push(`  - ${problem}`);
  if (report.problemCount > report.problems.length) lines.push(`  ... and ${report.problemCount - report.problems.length} more`);
  return lines.join('\n');
}
