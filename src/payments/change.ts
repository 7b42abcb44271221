import type { AttemptChanges, AttemptStatus } from '../orchestration/attempts-repository.ts';
import type { NewEvent } from '../events/service.ts';
import type { Movement } from '../ledger/movements.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { StoredPayPal } from '../payment-methods/repository.ts';
import type { PaymentMethodProviderReference } from '../payment-methods/provider-references-repository.ts';
import type { ChallengeRow } from './challenges-repository.ts';
import type { MandateDeactivation } from '../mandates/deactivation.ts';
import type { CounterChange } from './sca/counters.ts';
import type { ConnectRows } from './connect-charge.ts';
import type { ChargeExpectation, ChargeRow, IntentExpectation, LastPaymentError, PaymentIntentRow } from './repository.ts';

// A change to a payment as a plain value: what a pure builder decided, before any SQL exists. The writer
// (payments/writer.ts) turns one or several of these into one statement; nothing in here does I/O.

/**
 * Everything one decision changes. The intent's compare-and-set gates the rest: when it does not match (something
 * else already applied an outcome), none of the guarded writes happen. Without `intent` the change has no gate: it
 * writes only its attempt, its charge (under the charge's own expectation) and its ledger movement.
 */
export interface PaymentChange {
  scope: Scope;
  /** The request the events are attributed to (request id and idempotency key on each event), if any. */
  request: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;
  /**
   * The intent's new columns, applied only while the intent is as `expect` says (the gate). Without `expect` the
   * gate always opens: only for a caller that holds the intent's row lock and has checked its state (capture).
   */
  intent?: { current: Pick<PaymentIntentRow, 'id' | 'account_id' | 'livemode'>; changes: Partial<PaymentIntentRow>; expect?: IntentExpectation };
  /** The charge's new columns, applied only while the charge is as `expect` says (when given). */
  charge?: { current: Pick<ChargeRow, 'id' | 'account_id'>; changes: Partial<ChargeRow>; expect?: ChargeExpectation };
  /** The attempt's record, applied only while the attempt is in one of `from`. */
  attempt?: { id: string; changes: AttemptChanges; from: readonly AttemptStatus[] };
  /** Ledger entries and balance transactions that move with the state (each entry balanced). */
  movement: Movement;
  /** Whether the intent's pending 3-D Secure challenges are abandoned (a canceled intent). */
  abandonChallenges?: boolean;
  /** A Payrail-hosted 3-D Secure challenge to create. */
  challenge?: Pick<ChallengeRow, 'id' | 'payment_intent_id' | 'charge_id' | 'return_url' | 'created'>;
  /**
   * The PaymentMethod: the payer a wallet's provider reported, and/or attaching it to a customer (with the events
   * to record only when the attach happened: it does not when the method was attached meanwhile).
   */
  paymentMethod?: { id: string; wallet: StoredPayPal | null; attach: { customerId: string; events: NewEvent[] } | null };
  /** What the provider stored of a card this payment saved (setup_future_usage), for later merchant-initiated payments. */
  providerReference?: PaymentMethodProviderReference;
  /** A Connect charge's transfer, application fee and the platform's events (payments/connect-charge.ts); gated. */
  connect?: ConnectRows;
  /** A mandate the failed debit ended (mandates/deactivation.ts): marked inactive, its events written only if it was active; gated. */
  mandate?: MandateDeactivation;
  /**
   * A card PaymentMethod whose security code is deleted with this outcome (its first authorization: the code is used
   * once; docs/security.md); gated.
   */
  securityCodeWipe?: { paymentMethodId: string };
  /** The card's strong customer authentication counters (sca/counters.ts); gated. */
  scaCounters?: { change: CounterChange; now: number };
  /** Events recorded with the change, in order. */
  events: NewEvent[];
  /** What the caller answers with besides the intent (a decline's error). */
  decline?: LastPaymentError & { payment_method: unknown };
}

/** What writing one change did: the intent as written when its gate matched, else `applied: false`. */
export type ChangeResult = { applied: true; intent: PaymentIntentRow } | { applied: false };
