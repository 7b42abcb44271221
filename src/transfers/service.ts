import type { Dependencies } from '../dependencies.ts';
import { settlesIn } from '../accounts/settings.ts';
import { findBalanceTransaction } from '../balance-transactions/repository.ts';
import { accountIdPattern, accountInvalid } from '../connect/access.ts';
import { requireActiveCapability } from '../connect/capabilities.ts';
import { findConnectedAccount } from '../connect/repository.ts';
import type { ConnectedAccountRow } from '../connect/types.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import { connectMovement } from '../ledger/connect-movements.ts';
import { writeMovement } from '../ledger/repository.ts';
import { availableBalance } from '../ledger/service.ts';
import { findCharge, findPaymentIntent, type ChargeRow } from '../payments/repository.ts';
import { lockPayoutBalance } from '../payouts/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import { formatAmount, parseCurrency } from '../platform/money.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderTransfer, type TransferView } from './render.ts';
import { findTransfer, findTransfersOfSource, insertTransfer, listTransfers, reversalsOf, updateTransferMetadata, type TransferFilters, type TransferRow } from './repository.ts';

// Transfers (Stripe's /v1/transfers): a platform moves money from its balance to one of its connected accounts. The
// platform's `transfer` balance transaction and the destination's `payment` one are written with the transfer row and
// `transfer.created`, in one transaction (src/ledger/connect-movements.ts).

/** What transfers use: the database, the clock and account settings (which currencies a destination settles in). */
export type TransferDependencies = Pick<Dependencies, 'db' | 'clock' | 'settings'>;

/** Reversals a transfer embeds in its `reversals` list (Stripe's default page). */
export const embeddedReversalsMax = 10;

export interface TransferInput {
  amount: number;
  currency: string;
  destination: string;
  source_transaction?: string;
  transfer_group?: string;
  description?: string;
  metadata?: MetadataUpdate;
}

/** Checks that need no database. */
export function checkTransferInput(input: Pick<TransferInput, 'currency'>): void {
  parseCurrency(input.currency);
}

/**
 * The destination of a transfer: a connected account of the caller's platform, in the key's mode, whose `transfers`
 * capability is active (connect/capabilities.ts, the one rule for capabilities). Any other account (another
 * platform's, a sibling, a deleted or unknown one, the caller itself) is Stripe's 403 `account_invalid`, as for the
 * Stripe-Account header. The capability is enforced in test mode too, as Stripe does: test-mode accounts get it with
 * Stripe's test verification values (docs/connect.md).
 */
export async function transferDestination(db: Queryable, scope: Scope, destination: string, param = 'destination'): Promise<ConnectedAccountRow> {
  if (!accountIdPattern.test(destination)) throw accountInvalid(destination.slice(0, 80), param);
  const connected = destination === scope.accountId ? undefined : await findConnectedAccount(db, scope, destination);
  if (!connected) throw accountInvalid(destination, param);
  requireActiveCapability(connected, 'transfers', param);
  return connected;
}

/**
 * A destination receives a transfer only in a currency it settles in (its default currency or one of its settlement
 * currencies): Payrail does not convert transfers, so a transfer in any other currency is refused before anything moves.
 */
export async function checkDestinationCurrency(deps: Pick<Dependencies, 'settings'>, db: Queryable, destinationId: string, currency: string, param = 'currency'): Promise<void> {
  const settings = await deps.settings.get(destinationId, db);
  if (!settlesIn(settings, currency)) {
    throw new ApiError('invalid_value', `The destination account ${destinationId} cannot receive ${currency.toUpperCase()}: it settles in ${[settings.default_currency, ...settings.settlement_currencies].join(', ').toUpperCase()}. Payrail does not convert transfers.`, { param });
  }
}

/** How a transfer's funds move: from the available balance at once, or following a source charge not yet available. */
interface Funding {
  status: 'pending' | 'available';
  availableOn: number;
}

/**
 * A transfer funded by a charge of the platform (source_transaction): limited to what the charge brought in (captured,
 * less refunds, less what earlier transfers from it took), in the charge's settlement currency; its funds follow the
 * charge's availability. The caller holds the charge's PaymentIntent lock, so transfers and refunds of one charge
 * serialize.
 */
async function sourceFunding(db: Queryable, scope: Scope, charge: ChargeRow, amount: number, currency: string): Promise<Funding> {
  if (charge.status !== 'succeeded' || !charge.captured || charge.balance_transaction_id === null) {
    throw new ApiError('invalid_value', `The source_transaction ${charge.id} has not been captured: only captured charges fund transfers.`, { param: 'source_transaction' });
  }
  const chargeCurrency = charge.settlement_currency ?? charge.currency;
  if (currency !== chargeCurrency) {
    throw new ApiError('invalid_value', `The currency of a transfer with a source_transaction must be the charge's settlement currency (${chargeCurrency}).`, { param: 'currency' });
  }
  const transferred = (await findTransfersOfSource(db, scope, charge.id)).reduce((sum, transfer) => sum + transfer.amount - transfer.amount_reversed, 0);
  const remaining = charge.amount_captured - charge.amount_refunded - transferred;
  if (amount > remaining) {
    throw new ApiError('amount_too_large', `The transfer amount (${formatAmount(amount, currency)}) exceeds what remains of source_transaction ${charge.id} (${formatAmount(Math.max(remaining, 0), currency)}).`, { param: 'amount' });
  }
  const transaction = await findBalanceTransaction(db, scope, charge.balance_transaction_id);
  assert(transaction, `charge ${charge.id} has its balance transaction`);
  return transaction.status === 'pending' ? { status: 'pending', availableOn: transaction.available_on } : { status: 'available', availableOn: 0 };
}

/** The fields of a new transfer besides its money movement. */
export interface NewTransfer {
  platform: Scope;
  destinationId: string;
  amount: number;
  currency: string;
  funding: Funding;
  sourceTransactionId: string | null;
  transferGroup: string | null;
  description: string | null;
  metadata: Record<string, string>;
  /** A destination charge's application fee, paid by the destination out of the transfer's payment. */
  applicationFee?: { amount: number; application: string };
  now: number;
}

/**
 * Writes a transfer (row, both balance transactions and entries) inside the caller's transaction; the caller has
 * checked the destination and the funds. Returns the row and its `transfer.created` event's object.
 */
export async function writeTransfer(client: Queryable, transfer: NewTransfer): Promise<TransferRow> {
  const id = newId('tr');
  const destinationPaymentId = newId('py');
  const movement = connectMovement({
    from: { ...transfer.platform, entryType: 'transfer', transactionType: 'transfer', reportingCategory: 'transfer', sourceId: id, description: transfer.description },
    to: { accountId: transfer.destinationId, livemode: transfer.platform.livemode, entryType: 'transfer_payment', transactionType: 'payment', reportingCategory: 'charge', sourceId: destinationPaymentId, description: null },
    amount: transfer.amount,
    currency: transfer.currency,
    status: transfer.funding.status,
    availableOn: transfer.funding.availableOn,
    applicationFee: transfer.applicationFee,
    now: transfer.now,
  });
  await writeMovement(client, movement);
  return insertTransfer(client, {
    id,
    account_id: transfer.platform.accountId,
    livemode: transfer.platform.livemode,
    amount: transfer.amount,
    amount_reversed: 0,
    currency: transfer.currency,
    destination_id: transfer.destinationId,
    destination_payment_id: destinationPaymentId,
    balance_transaction_id: movement.balanceTransactions[0].id,
    destination_balance_transaction_id: movement.balanceTransactions[1].id,
    source_transaction_id: transfer.sourceTransactionId,
    transfer_group: transfer.transferGroup,
    description: transfer.description,
    metadata: transfer.metadata,
    created: nowSeconds(),
  });
}

/**
 * Creates a transfer. Without source_transaction it draws on the platform's available balance in the currency: like
 * a payout, under the per-account, per-currency lock payouts take, with the balance read after the lock, so
 * concurrent transfers and payouts never together overdraw it (400 `balance_insufficient`, nothing moved).
 */
export async function createTransfer(work: UnitOfWork, deps: TransferDependencies, scope: Scope, input: TransferInput): Promise<TransferView> {
  const currency = parseCurrency(input.currency);
  return work.finalTransaction(async (client) => {
    const destination = await transferDestination(client, scope, input.destination);
    await checkDestinationCurrency(deps, client, destination.id, currency);
    let funding: Funding;
    if (input.source_transaction !== undefined) {
      const found = await findCharge(client, scope, input.source_transaction);
      if (!found) throw missing('charge', input.source_transaction, 'source_transaction');
      await findPaymentIntent(client, scope, found.payment_intent_id, { forUpdate: true });
      const charge = await findCharge(client, scope, found.id);
      assert(charge, `charge ${found.id} exists`);
      funding = await sourceFunding(client, scope, charge, input.amount, currency);
    } else {
      await lockPayoutBalance(client, scope, currency);
      const available = await availableBalance(client, scope, currency);
      if (input.amount > available) {
        throw new ApiError(
          'balance_insufficient',
          `You have insufficient available funds in your Payrail account for this transfer: the available balance is ${formatAmount(Math.max(available, 0), currency)}. Use source_transaction to transfer funds of a charge that are not available yet.`,
          { param: 'amount' },
        );
      }
      funding = { status: 'available', availableOn: 0 };
    }
    const transfer = await writeTransfer(client, {
      platform: scope, destinationId: destination.id, amount: input.amount, currency, funding, sourceTransactionId: input.source_transaction ?? null,
      transferGroup: input.transfer_group ?? null, description: input.description ?? null, metadata: mergeMetadata({}, input.metadata), now: deps.clock.nowSeconds(),
    });
    const view: TransferView = { transfer, reversals: { rows: [], hasMore: false } };
    await recordEvent(client, scope, work, 'transfer.created', renderTransfer(view));
    return view;
  });
}

export async function transferView(db: Queryable, transfer: TransferRow): Promise<TransferView> {
  const reversals = await reversalsOf(db, [transfer.id], embeddedReversalsMax);
  return { transfer, reversals: reversals.get(transfer.id)! };
}

export async function retrieveTransfer(db: Queryable, scope: Scope, id: string): Promise<TransferView> {
  const transfer = await findTransfer(db, scope, id);
  if (!transfer) throw missing('transfer', id);
  return transferView(db, transfer);
}

/** Updates a transfer's description and metadata; `transfer.updated` when something changed, as at Stripe. */
export async function updateTransfer(work: UnitOfWork, scope: Scope, id: string, input: { description?: string | null; metadata?: MetadataUpdate }): Promise<TransferView> {
  return work.finalTransaction(async (client) => {
    const transfer = await findTransfer(client, scope, id, { forUpdate: true });
    if (!transfer) throw missing('transfer', id);
    const before = await transferView(client, transfer);
    const updated = await updateTransferMetadata(client, transfer, {
      metadata: mergeMetadata(transfer.metadata, input.metadata),
      description: input.description !== undefined ? (input.description === '' ? null : input.description) : transfer.description,
    });
    const after: TransferView = { ...before, transfer: updated };
    const previous = changedAttributes(renderTransfer(before), renderTransfer(after));
    if (Object.keys(previous).length > 0) await recordEvent(client, scope, work, 'transfer.updated', renderTransfer(after), previous);
    return after;
  });
}

export async function listTransferPage(db: Queryable, scope: Scope, page: PageRequest, filters: TransferFilters): Promise<Page<TransferView>> {
  const found = await listTransfers(db, scope, page, filters);
  const reversals = await reversalsOf(db, found.rows.map((row) => row.id), embeddedReversalsMax);
  return { rows: found.rows.map((transfer) => ({ transfer, reversals: reversals.get(transfer.id)! })), hasMore: found.hasMore };
}
