import { findConnectedAccountById } from '../connect/repository.ts';
import type { Dependencies } from '../dependencies.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import { findDefaultExternalAccount, findExternalAccount } from '../external-accounts/repository.ts';
import { payoutMovement, payoutReversalMovement } from '../ledger/movements.ts';
import { writeMovement } from '../ledger/repository.ts';
import { availableBalance } from '../ledger/service.ts';
import { secondsPerDay, startOfDay } from '../platform/clock.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import { formatAmount, parseCurrency } from '../platform/money.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderPayout } from './render.ts';
import { findPayout, insertPayout, listPayouts, lockPayoutBalance, transitionPayout, updatePayoutMetadata, type PayoutFilters, type PayoutRow } from './repository.ts';
import { assertPayoutTransition } from './state.ts';

/** Days a standard payout takes to reach the bank: it arrives at midnight UTC this many days after the day it is made. */
export const standardPayoutTransitDays = 2;
/** Stripe's limit on a payout's statement descriptor. */
export const statementDescriptorLengthMax = 22;
export const payoutMethods = ['standard', 'instant'] as const;
export const payoutSourceTypes = ['card', 'bank_account', 'fpx'] as const;

type EventWork = Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;

export interface PayoutInput {
  amount: number;
  currency: string;
  destination?: string;
  description?: string;
  metadata?: MetadataUpdate;
  method?: (typeof payoutMethods)[number];
  source_type?: (typeof payoutSourceTypes)[number];
  statement_descriptor?: string;
}

/** Checks that need no database: instant payouts and non-card balances are not offered. */
export function checkPayoutInput(input: Pick<PayoutInput, 'currency' | 'method' | 'source_type'>): void {
  parseCurrency(input.currency);
  if (input.method === 'instant') {
    throw new ApiError('instant_payouts_unsupported', 'Instant payouts are not supported: Payrail sends standard payouts only. Use method=standard.', { param: 'method' });
  }
  if (input.source_type !== undefined && input.source_type !== 'card') {
    throw new ApiError('invalid_value', `Invalid source_type: Payrail balances hold card funds only (source_type=card), not ${input.source_type}.`, { param: 'source_type' });
  }
}

/** Midnight UTC, `standardPayoutTransitDays` days after the day the payout is made. */
export function arrivalDateFor(now: number): number {
  return startOfDay(now) + standardPayoutTransitDays * secondsPerDay;
}

/**
 * Writes a new payout inside the caller's transaction, which holds `lockPayoutBalance` for its currency and has
 * checked the available balance: the payout's ledger movement (available -> in transit), its row and `payout.created`.
 */
export async function writeNewPayout(
  client: Queryable,
  deps: Pick<Dependencies, 'clock'>,
  scope: Scope,
  work: EventWork,
  fields: Pick<PayoutRow, 'amount' | 'currency' | 'destination_id' | 'automatic' | 'description' | 'statement_descriptor' | 'metadata'>
    & Partial<Pick<PayoutRow, 'id' | 'original_payout_id'>>,
): Promise<PayoutRow> {
  const now = deps.clock.nowSeconds();
  const id = fields.id ?? newId('po');
  const movement = payoutMovement(scope, { id, amount: fields.amount, currency: fields.currency, description: fields.description }, now);
  await writeMovement(client, movement);
  const payout = await insertPayout(client, {
    id,
    account_id: scope.accountId,
    livemode: scope.livemode,
    amount: fields.amount,
    currency: fields.currency,
    status: 'pending',
    automatic: fields.automatic,
    method: 'standard',
    destination_id: fields.destination_id,
    description: fields.description,
    statement_descriptor: fields.statement_descriptor,
    arrival_date: arrivalDateFor(now),
    failure_code: null,
    failure_message: null,
    failure_balance_transaction_id: null,
    balance_transaction_id: movement.balanceTransactions[0].id,
    provider_reference: null,
    metadata: fields.metadata,
    created: now,
    original_payout_id: fields.original_payout_id ?? null,
    reversed_by_id: null,
  });
  await recordEvent(client, scope, work, 'payout.created', renderPayout(payout));
  return payout;
}

/**
 * Creates a manual payout of part of the available balance. Payout creation is serialized per account, mode and
 * currency (an advisory lock held to the end of the transaction), and the balance is read after the lock is taken,
 * so concurrent payouts see each other's debits and never together overdraw the balance.
 */
export async function createPayout(work: UnitOfWork, deps: Pick<Dependencies, 'clock'>, scope: Scope, input: PayoutInput): Promise<PayoutRow> {
  checkPayoutInput(input);
  const currency = parseCurrency(input.currency);
  return work.finalTransaction(async (client) => {
    await checkPayoutsAllowed(client, scope);
    const destination = await payoutDestination(client, scope, currency, input.destination);
    await lockPayoutBalance(client, scope, currency);
    const available = await availableBalance(client, scope, currency);
    if (input.amount > available) {
      throw new ApiError(
        'balance_insufficient',
        `You have insufficient funds in your Payrail account for this payout: the available balance is ${formatAmount(Math.max(available, 0), currency)}.`,
        { param: 'amount' },
      );
    }
    return writeNewPayout(client, deps, scope, work, {
      amount: input.amount,
      currency,
      destination_id: destination.id,
      automatic: false,
      description: input.description ?? null,
      statement_descriptor: input.statement_descriptor ?? null,
      metadata: mergeMetadata({}, input.metadata),
    });
  });
}

/**
 * Whether the account in `scope` is a connected account its platform rejected: its `payouts_enabled` is false for good,
 * so it pays nothing out, by hand or on its schedule, as at Stripe. Only rejection is checked: other reasons for
 * payouts being disabled are not enforced yet.
 */
export async function rejectedForPayouts(db: Queryable, scope: Scope): Promise<boolean> {
  const connected = await findConnectedAccountById(db, scope.accountId);
  return connected !== undefined && connected.livemode === scope.livemode && connected.rejected_reason !== null;
}

/** A manual payout of a rejected connected account: 400 `payouts_not_allowed`. */
async function checkPayoutsAllowed(db: Queryable, scope: Scope): Promise<void> {
  if (await rejectedForPayouts(db, scope)) {
    throw new ApiError('payouts_not_allowed', "Payouts have been disabled on the connected account. Check the connected account's status to see if any additional information needs to be provided, or if payouts have been disabled for another reason.");
  }
}

/** The named bank account, or the currency's default; it must hold the payout's currency. */
async function payoutDestination(db: Queryable, scope: Scope, currency: string, destinationId: string | undefined): Promise<{ id: string }> {
  if (destinationId === undefined) {
    const fallback = await findDefaultExternalAccount(db, scope, currency);
    if (!fallback) {
      throw new ApiError('no_external_account', `You don't have any external accounts in that currency (${currency}). Add a bank account in ${currency} first.`, { param: 'currency' });
    }
    return fallback;
  }
  const destination = await findExternalAccount(db, scope, destinationId);
  if (!destination) throw missing('external account', destinationId, 'destination');
  if (destination.currency !== currency) {
    throw new ApiError('invalid_value', `The destination bank account holds ${destination.currency}, but the payout is in ${currency}.`, { param: 'destination' });
  }
  return destination;
}

export async function retrievePayout(db: Queryable, scope: Scope, id: string): Promise<PayoutRow> {
  const row = await findPayout(db, scope, id);
  if (!row) throw missing('payout', id);
  return row;
}

export async function updatePayout(work: UnitOfWork, scope: Scope, id: string, metadata: MetadataUpdate | undefined): Promise<PayoutRow> {
  return work.finalTransaction(async (client) => {
    const payout = await findPayout(client, scope, id, { forUpdate: true });
    if (!payout) throw missing('payout', id);
    const updated = await updatePayoutMetadata(client, payout, mergeMetadata(payout.metadata, metadata));
    const after = renderPayout(updated);
    const previous = changedAttributes(renderPayout(payout), after);
    // An update that changes nothing is not a state change, so it records no event (as at Stripe).
    if (Object.keys(previous).length > 0) await recordEvent(client, scope, work, 'payout.updated', after, previous);
    return updated;
  });
}

/**
 * Cancels a pending payout: its amount returns to the available balance (a `payout_cancel` balance transaction,
 * shown as the payout's `failure_balance_transaction`). The row lock orders it against the job that submits payouts,
 * which only moves a payout out of `pending` by compare-and-set.
 */
export async function cancelPayout(work: UnitOfWork, deps: Pick<Dependencies, 'clock'>, scope: Scope, id: string): Promise<PayoutRow> {
  return work.finalTransaction(async (client) => {
    const payout = await findPayout(client, scope, id, { forUpdate: true });
    if (!payout) throw missing('payout', id);
    assertPayoutTransition('cancel', payout.status);
    const movement = payoutReversalMovement(scope, payout, 'payout_cancel', deps.clock.nowSeconds());
    await writeMovement(client, movement);
    const canceled = await transitionPayout(client, payout.id, 'pending', 'canceled', { failure_balance_transaction_id: movement.balanceTransactions[0].id });
    assert(canceled !== undefined, `payout ${payout.id} is still pending under its row lock`);
    await recordEvent(client, scope, work, 'payout.canceled', renderPayout(canceled), { status: payout.status, failure_balance_transaction: null });
    return canceled;
  });
}

export function listPayoutPage(db: Queryable, scope: Scope, page: PageRequest, filters: PayoutFilters): Promise<Page<PayoutRow>> {
  return listPayouts(db, scope, page, filters);
}
