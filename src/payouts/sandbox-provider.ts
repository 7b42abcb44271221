import type { Clock } from '../platform/clock.ts';
import type { Queryable } from '../platform/db.ts';
import { assert } from '../platform/errors.ts';
import { randomBase62 } from '../platform/ids.ts';
import { payoutFailureCodes, type PayoutFailureCode, type PayoutProvider, type PayoutSubmission, type PayoutTransferInput, type PayoutTransferStatus } from './provider.ts';
import { findSandboxTransferByKey, findSandboxTransferByReference, insertSandboxTransferOnce } from './sandbox-transfers-repository.ts';

/**
 * Stripe's test bank accounts and what a payout to each does. Every other valid account is paid. US numbers are
 * taken with routing number 110000000 at Stripe; the sandbox decides by account number alone.
 */
export const sandboxAccountOutcomes: Readonly<Record<string, PayoutFailureCode>> = {
  '000111111116': 'no_account',
  '000111111113': 'account_closed',
  '000222222227': 'insufficient_funds',
  '000333333335': 'debit_not_authorized',
  '000444444440': 'invalid_currency',
  DE62370400440532013001: 'no_account',
};

type Outcome = 'paid' | PayoutFailureCode;

export function sandboxOutcomeFor(accountNumber: string): Outcome {
  return sandboxAccountOutcomes[accountNumber] ?? 'paid';
}

/** Random characters of a sandbox transfer reference. */
const referenceRandomLength = 24;

/**
 * A stand-in bank rail. It keeps its own records (one transfer per idempotency key, in sandbox_payout_transfers)
 * and settles each transfer with the outcome its test account number names, once Payrail asks after the arrival
 * date. It never sees more than the last four digits at rest.
 */
export class SandboxPayoutProvider implements PayoutProvider {
  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
  ) {}

  async submit(input: PayoutTransferInput): Promise<PayoutSubmission> {
    const reference = `sbtr_${randomBase62(referenceRandomLength)}`;
    await insertSandboxTransferOnce(this.db, {
      idempotency_key: input.payoutId, reference, amount: input.amount, currency: input.currency, account_number_last4: input.accountNumber.slice(-4),
      outcome: sandboxOutcomeFor(input.accountNumber), created: this.clock.nowSeconds(),
    });
    const transfer = await findSandboxTransferByKey(this.db, input.payoutId);
    assert(transfer !== undefined, `sandbox transfer ${input.payoutId} exists once inserted`);
    // A key reused for a different transfer is a bug in the caller, never an expected outcome.
    assert(transfer.amount === input.amount && transfer.currency === input.currency, `sandbox transfer ${input.payoutId} is retried with the same amount and currency`);
    return { reference: transfer.reference, status: 'in_transit' };
  }

  async status(reference: string): Promise<PayoutTransferStatus> {
    const transfer = await findSandboxTransferByReference(this.db, reference);
    assert(transfer !== undefined, `sandbox transfer ${reference} exists`);
    if (transfer.outcome === 'paid') return { status: 'paid' };
    if ((payoutFailureCodes as readonly string[]).includes(transfer.outcome)) return { status: 'failed', failureCode: transfer.outcome as PayoutFailureCode };
    return { status: 'in_transit' };
  }
}
