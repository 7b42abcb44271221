import type { Dependencies } from '../dependencies.ts';
import { ApiError } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { cancelPaymentIntent, type PaymentCancelDependencies } from '../payments/cancel.ts';
import { findPaymentIntent } from '../payments/repository.ts';
import { cancelSetupIntent } from '../setup-intents/intents.ts';
import { findSetupIntent } from '../setup-intents/repository.ts';

/** PaymentIntent (and SetupIntent) statuses a session's closing cancels: nothing was paid and no payment is under way. */
const unpaidStatuses = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action']);

/**
 * Cancels a closing session's PaymentIntent (reason `abandoned`) when nothing was paid on it and no payment is under
 * way, so the shopper can no longer pay through it. The intent's own state machine decides the race with a
 * confirmation under way: if the shopper's confirmation won, nothing is canceled. Answers whether this call canceled it.
 */
export async function cancelUnpaidIntent(deps: Pick<Dependencies, 'db' | 'commits'> & PaymentCancelDependencies, scope: Scope, intentId: string): Promise<boolean> {
  const intent = await findPaymentIntent(deps.db, scope, intentId);
  if (!intent || !unpaidStatuses.has(intent.status)) return false;
  try {
    await cancelPaymentIntent(UnitOfWork.alone(deps.db, deps.commits), deps, scope, intent.id, 'abandoned');
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'payment_intent_unexpected_state') return false;
    throw error;
  }
}

/**
 * The same for a closing setup-mode session's SetupIntent: canceled (reason `abandoned`) when no card was saved and no
 * verification is under way; the SetupIntent's state machine decides the race with the shopper's confirmation.
 */
export async function cancelUnfinishedSetupIntent(deps: Pick<Dependencies, 'db' | 'commits'>, scope: Scope, setupIntentId: string): Promise<boolean> {
  const intent = await findSetupIntent(deps.db, scope, setupIntentId);
  if (!intent || !unpaidStatuses.has(intent.status)) return false;
  try {
    await cancelSetupIntent(UnitOfWork.alone(deps.db, deps.commits), scope, intent.id, 'abandoned');
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'setup_intent_unexpected_state') return false;
    throw error;
  }
}
