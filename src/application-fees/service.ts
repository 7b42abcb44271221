import type { Dependencies } from '../dependencies.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import { connectMovement } from '../ledger/connect-movements.ts';
import { writeMovement } from '../ledger/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import { formatAmount } from '../platform/money.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderApplicationFee, renderFeeRefund, type ApplicationFeeView } from './render.ts';
import {
  addAmountRefunded, findApplicationFee, findFeeRefund, insertFeeRefund, listApplicationFees, listFeeRefunds, updateFeeRefundMetadata,
  type ApplicationFeeFilters, type ApplicationFeeRefundRow, type ApplicationFeeRow,
} from './repository.ts';

// Application fees (Stripe's /v1/application_fees): what a platform collected on its connected accounts' charges
// (made by the charge's capture, src/payments/connect-charge.ts), and their refunds: the platform gives (part of) a fee
// back to the connected account that paid it, from its available balance at once (which may go negative, as a
// transfer reversal may for the destination).

/** What fee refunds use: the database and the clock. */
export type ApplicationFeeDependencies = Pick<Dependencies, 'db' | 'clock'>;

/** Refunds a fee embeds in its `refunds` list (Stripe's default page). */
export const embeddedFeeRefundsMax = 10;

export async function applicationFeeView(db: Queryable, scope: Scope, fee: ApplicationFeeRow): Promise<ApplicationFeeView> {
  const refunds = await listFeeRefunds(db, scope, fee.id, { limit: embeddedFeeRefundsMax });
  return { fee, refunds };
}

export async function retrieveApplicationFee(db: Queryable, scope: Scope, id: string): Promise<ApplicationFeeView> {
  const fee = await findApplicationFee(db, scope, id);
  if (!fee) throw missing('application_fee', id);
  return applicationFeeView(db, scope, fee);
}

export async function listApplicationFeePage(db: Queryable, scope: Scope, page: PageRequest, filters: ApplicationFeeFilters): Promise<Page<ApplicationFeeView>> {
  const found = await listApplicationFees(db, scope, page, filters);
  const rows: ApplicationFeeView[] = [];
  for (const fee of found.rows) rows.push(await applicationFeeView(db, scope, fee));
  return { rows, hasMore: found.hasMore };
}

export interface FeeRefundInput {
  amount?: number;
  metadata?: MetadataUpdate;
}

/**
 * Writes a refund of `amount` of a fee the caller holds locked: the fee's `amount_refunded` by a compare-and-set (the
 * table's CHECK backs it), both sides' entries and balance transactions (the platform's `application_fee_refund`,
 * negative; the connected account's, positive), the refund row, and `application_fee.refunded` and
 * `application_fee.refund.updated` as Stripe sends them.
 */
export async function writeFeeRefund(
  client: Queryable,
  work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined,
  scope: Scope,
  fee: ApplicationFeeRow,
  amount: number,
  options: { metadata: Record<string, string>; now: number },
): Promise<ApplicationFeeRefundRow> {
  const id = newId('fr');
  const movement = connectMovement({
    from: { accountId: fee.account_id, livemode: fee.livemode, entryType: 'application_fee_refund', transactionType: 'application_fee_refund', reportingCategory: 'platform_earning_refund', sourceId: id, description: null },
    to: { accountId: fee.connected_account_id, livemode: fee.livemode, entryType: 'application_fee_payment_refund', transactionType: 'application_fee_refund', reportingCategory: 'platform_earning_refund', sourceId: id, description: null },
    amount,
    currency: fee.currency,
    status: 'available',
    availableOn: options.now,
    now: options.now,
  });
  const before = await applicationFeeView(client, scope, fee);
  const updated = await addAmountRefunded(client, fee, amount);
  assert(updated, `a refund of fee ${fee.id} stays within the fee`);
  await writeMovement(client, movement);
  const refund = await insertFeeRefund(client, {
    id, account_id: fee.account_id, livemode: fee.livemode, fee_id: fee.id, amount, currency: fee.currency,
    balance_transaction_id: movement.balanceTransactions[0].id, metadata: options.metadata, created: nowSeconds(),
  });
  const after = await applicationFeeView(client, scope, updated);
  await recordEvent(client, scope, work, 'application_fee.refunded', renderApplicationFee(after), changedAttributes(renderApplicationFee(before), renderApplicationFee(after)));
  await recordEvent(client, scope, work, 'application_fee.refund.updated', renderFeeRefund(refund));
  return refund;
}

/** What remains to refund of a fee, and the amount asked for (default: all of it); 400 when it does not fit. */
export function feeRefundAmount(fee: ApplicationFeeRow, requested: number | undefined): number {
  const remaining = fee.amount - fee.amount_refunded;
  if (remaining <= 0) throw new ApiError('amount_too_large', `Application fee ${fee.id} has already been fully refunded.`, { param: 'amount' });
  const amount = requested ?? remaining;
  if (amount > remaining) {
    throw new ApiError('amount_too_large', `Refund amount (${formatAmount(amount, fee.currency)}) is greater than the unrefunded amount of the application fee (${formatAmount(remaining, fee.currency)}).`, { param: 'amount' });
  }
  return amount;
}

/** At most what remains of the fee (a refund's pro-rata share never exceeds it). */
export function feeRefundAmountOf(fee: ApplicationFeeRow, amount: number): number {
  return Math.max(0, Math.min(amount, fee.amount - fee.amount_refunded));
}

export async function createFeeRefund(work: UnitOfWork, deps: ApplicationFeeDependencies, scope: Scope, feeId: string, input: FeeRefundInput): Promise<ApplicationFeeRefundRow> {
  return work.finalTransaction(async (client) => {
    const fee = await findApplicationFee(client, scope, feeId, { forUpdate: true });
    if (!fee) throw missing('application_fee', feeId);
    const amount = feeRefundAmount(fee, input.amount);
    return writeFeeRefund(client, work, scope, fee, amount, { metadata: mergeMetadata({}, input.metadata), now: deps.clock.nowSeconds() });
  });
}

export async function retrieveFeeRefund(db: Queryable, scope: Scope, feeId: string, id: string): Promise<ApplicationFeeRefundRow> {
  const refund = await findFeeRefund(db, scope, feeId, id);
  if (!refund) throw missing('fee_refund', id);
  return refund;
}

/** Updates a fee refund's metadata; `application_fee.refund.updated` when it changed. */
export async function updateFeeRefund(work: UnitOfWork, scope: Scope, feeId: string, id: string, metadata: MetadataUpdate | undefined): Promise<ApplicationFeeRefundRow> {
  return work.finalTransaction(async (client) => {
    const refund = await findFeeRefund(client, scope, feeId, id, { forUpdate: true });
    if (!refund) throw missing('fee_refund', id);
    const updated = await updateFeeRefundMetadata(client, refund, mergeMetadata(refund.metadata, metadata));
    const previous = changedAttributes(renderFeeRefund(refund), renderFeeRefund(updated));
    if (Object.keys(previous).length > 0) await recordEvent(client, scope, work, 'application_fee.refund.updated', renderFeeRefund(updated), previous);
    return updated;
  });
}

export async function listFeeRefundPage(db: Queryable, scope: Scope, feeId: string, page: PageRequest): Promise<Page<ApplicationFeeRefundRow>> {
  if (!(await findApplicationFee(db, scope, feeId))) throw missing('application_fee', feeId);
  return listFeeRefunds(db, scope, feeId, page);
}
