import { createHash } from 'node:crypto';
import { assert } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import type { Posting } from './accounts.ts';

export const entryTypes = [
  'authorization_hold', 'hold_release', 'capture', 'charge', 'refund', 'refund_failure', 'availability',
  'payout', 'payout_paid', 'payout_failure', 'payout_cancel', 'adjustment',
  // Connect (src/ledger/connect-movements.ts): each is one side of a movement between a platform and a connected account.
  'transfer', 'transfer_payment', 'transfer_reversal', 'transfer_payment_refund', 'application_fee', 'application_fee_payment', 'application_fee_refund', 'application_fee_payment_refund',
  // Connect reserves (src/ledger/connect-reserve-movements.ts): a platform's funds held or released against its connected accounts'
  // negative balances, and a negative balance the platform clears (both sides of that movement).
  'reserve_transaction', 'connect_collection_transfer',
  // Disputes (src/ledger/dispute-movements.ts): the disputed amount and fee withdrawn, and the amount reinstated when won.
  'dispute', 'dispute_reversal',
] as const;
export type EntryType = (typeof entryTypes)[number];

/** A journal entry as written: balanced postings and the hash of its content. */
export interface LedgerEntry {
  id: string;
  accountId: string;
  livemode: boolean;
  type: EntryType;
  sourceId: string | null;
  balanceTransactionId: string | null;
  resolvesEntryId: string | null;
  created: number;
  postings: Posting[];
  contentHash: Buffer;
}

export interface EntryInput {
  accountId: string;
  livemode: boolean;
  type: EntryType;
  sourceId?: string | null;
  balanceTransactionId?: string | null;
  /** For the second phase of a two-phase movement: the hold entry this entry posts or voids. */
  resolvesEntryId?: string | null;
  created: number;
  /** Postings; zero amounts are dropped (a fee of 0 moves nothing). */
  postings: Posting[];
}

/** Most postings any entry of ours has (an FX capture has six). */
export const postingsPerEntryMax = 16;

/**
 * The canonical text an entry's hash covers: every field that gives it meaning, postings in line order. Changing
 * any stored value of an entry or of one of its postings changes this text.
 */
export function canonicalEntryText(entry: Omit<LedgerEntry, 'contentHash'>): string {
  return JSON.stringify([
    entry.id, entry.accountId, entry.livemode, entry.type, entry.sourceId, entry.balanceTransactionId, entry.resolvesEntryId, entry.created,
    entry.postings.map((posting, index) => [index + 1, posting.owner, posting.kind, posting.currency, posting.amount]),
  ]);
}

export function contentHashOf(entry: Omit<LedgerEntry, 'contentHash'>): Buffer {
  return createHash('sha256').update(canonicalEntryText(entry), 'utf8').digest();
}

/** The next link of a ledger's hash chain: SHA-256(previous chain hash || entry content hash). */
export function chainHashOf(previous: Buffer, contentHash: Buffer): Buffer {
  return createHash('sha256').update(previous).update(contentHash).digest();
}

/** The chain hash before a ledger's first entry. */
export const genesisHash = Buffer.alloc(32);

/** Sums of postings per currency; an entry balances when every sum is zero. */
export function imbalances(postings: readonly Posting[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const posting of postings) sums.set(posting.currency, (sums.get(posting.currency) ?? 0) + posting.amount);
  for (const [currency, sum] of sums) if (sum === 0) sums.delete(currency);
  return sums;
}

/**
 * Builds a journal entry. An unbalanced entry is a bug in the code that built it, never an expected outcome, so it
 * fails loudly here (and the database would refuse it too).
 */
export function buildEntry(input: EntryInput): LedgerEntry {
  const postings = input.postings.filter((posting) => posting.amount !== 0);
  for (const posting of postings) assert(Number.isSafeInteger(posting.amount), `ledger posting amount ${posting.amount} is an integer`);
  assert(postings.length >= 2 && postings.length <= postingsPerEntryMax, `a ledger entry has 2..${postingsPerEntryMax} postings (got ${postings.length})`);
  const unbalanced = imbalances(postings);
  assert(unbalanced.size === 0, `ledger entry of type ${input.type} balances (off by ${JSON.stringify([...unbalanced])})`);
  const entry = {
    id: newId('le'),
    accountId: input.accountId,
    livemode: input.livemode,
    type: input.type,
    sourceId: input.sourceId ?? null,
    balanceTransactionId: input.balanceTransactionId ?? null,
    resolvesEntryId: input.resolvesEntryId ?? null,
    created: input.created,
    postings,
  };
  return { ...entry, contentHash: contentHashOf(entry) };
}
