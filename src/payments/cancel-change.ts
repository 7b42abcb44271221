import type { NewEvent } from '../events/service.ts';
import { emptyMovement, holdRelease, type Movement } from '../ledger/movements.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { PaymentChange } from './change.ts';
import { renderCharge, renderPaymentIntent } from './render.ts';
import type { ChargeRow, PaymentIntentRow } from './repository.ts';

// The cancellation of a PaymentIntent as a change value (no I/O); written by payments/writer.ts.

export interface CancelInputs {
  scope: Scope;
  request: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;
  /** The intent as read under its lock, in a state that may be canceled. */
  intent: PaymentIntentRow;
  reason: string | null;
  /** The authorized charge of a `requires_capture` intent whose authorization the provider has voided. */
  voided?: ChargeRow;
  /** The latest charge of a `requires_action` intent, if it has one. */
  awaitingAuthentication?: ChargeRow;
  /** The ledger's clock (deps.clock), for the hold's release. */
  now: number;
  /** Wall-clock seconds for `canceled_at`. */
  canceledAt: number;
}

/**
 * Canceling: a voided authorization releases its hold on the ledger and is marked released; an intent waiting for
 * the customer's authentication abandons its challenges and fails its pending charge and attempt; the intent is
 * canceled. The intent's update has no compare-and-set: the caller holds the intent's lock and checked its state.
 */
export function buildCancelChange(inputs: CancelInputs): PaymentChange {
  const { scope, intent } = inputs;
  const events: NewEvent[] = [];
  let charge: PaymentChange['charge'];
  let attempt: PaymentChange['attempt'];
  let movement: Movement = emptyMovement();
  const voided = inputs.voided;
  if (voided) {
    if (voided.hold_entry_id) {
      movement = { entries: [holdRelease(scope, voided.id, voided.hold_entry_id, voided.amount, voided.currency, inputs.now)], balanceTransactions: [] };
    }
    const changes: Partial<ChargeRow> = { released: true };
    charge = { current: voided, changes };
    events.push({ type: 'charge.refunded', object: renderCharge({ ...voided, ...changes }) });
  }
  const waiting = intent.status === 'requires_action' ? inputs.awaitingAuthentication : undefined;
  if (waiting && waiting.status === 'pending') {
    const changes: Partial<ChargeRow> = { status: 'failed', failure_code: 'authentication_required', failure_message: 'The payment was canceled before authentication completed.' };
    charge = { current: waiting, changes };
    if (waiting.attempt_id) {
      attempt = {
        id: waiting.attempt_id,
        changes: { status: 'failed', failure_code: 'canceled', detail: 'The PaymentIntent was canceled while the customer had not finished the redirect.', next_sync_in_seconds: null },
        from: ['requires_action'],
      };
    }
    events.push({ type: 'charge.failed', object: renderCharge({ ...waiting, ...changes }) });
  }
  const intentChanges: Partial<PaymentIntentRow> = { status: 'canceled', cancellation_reason: inputs.reason, canceled_at: inputs.canceledAt, amount_capturable: 0, next_action: null };
  events.push({ type: 'payment_intent.canceled', object: renderPaymentIntent({ ...intent, ...intentChanges }) });
  return {
    scope,
    request: inputs.request,
    intent: { current: intent, changes: intentChanges },
    charge,
    attempt,
    movement,
    abandonChallenges: intent.status === 'requires_action',
    events,
  };
}
