import { recordEvent } from '../events/service.ts';
import { findCustomer } from '../customers/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import { newId, nowSeconds, randomBase62 } from '../platform/ids.ts';
import { mergeMetadata } from '../platform/metadata.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { checkClientSecret } from '../payments/client-secret.ts';
import { resolvePaymentMethod } from '../payment-methods/service.ts';
import { beginSetupAttempt, checkSetupPaymentMethodOwner, finishSetupAttempt, mandateDataOf, mergeSetupOptions, resolveSetupAttempt, type SetupConfirmDependencies } from './confirm.ts';
import { renderSetupIntent } from './render.ts';
import { abandonSetupChallenges, findSetupAttempt, findSetupIntent, insertSetupIntent, listSetupAttempts, listSetupIntents, updateSetupAttempt, updateSetupIntent } from './repository.ts';
import { assertSetupTransition } from './state.ts';
import type { MandateDataInput, SetupAttemptRow, SetupCancellationReason, SetupConfirmInput, SetupIntentFieldsInput, SetupIntentResult, SetupIntentRow, SetupUsage } from './types.ts';

// A SetupIntent's own operations: create (and create-and-confirm), retrieve, update, cancel, list, and its attempts.
// Confirming and applying a verification's answer is confirm.ts.

/**
 * The payment method types a SetupIntent can set up today; others get a 400 until Payrail can set them up. A card is
 * verified at a connector; a sepa_debit account gets a multi-use mandate (confirm-sepa.ts).
 */
export const setupPaymentMethodTypes = ['card', 'sepa_debit'] as const;

function clientSecret(id: string): string {
  return `${id}_secret_${randomBase62(25)}`;
}

export function validateSetupTypes(types: string[] | undefined): string[] {
  const result = types ?? ['card'];
  if (result.length === 0) throw new ApiError('invalid_value', 'payment_method_types must contain at least one type.', { param: 'payment_method_types' });
  result.forEach((type, index) => {
    if (!(setupPaymentMethodTypes as readonly string[]).includes(type)) {
      throw new ApiError(
        'setup_intent_invalid_parameter',
        `The payment method type "${type}" cannot be set up: Payrail's SetupIntents set up ${setupPaymentMethodTypes.join(' and ')} only for now.`,
        { param: `payment_method_types[${index}]` },
      );
    }
  });
  return [...new Set(result)];
}

async function checkCustomer(db: Queryable, scope: Scope, customerId: string | null | undefined): Promise<void> {
  if (customerId === null || customerId === undefined) return;
  if (!(await findCustomer(db, scope, customerId))) throw missing('customer', customerId, 'customer');
}

export interface CreateSetupIntentInput extends SetupIntentFieldsInput {
  usage?: SetupUsage;
  confirm?: boolean;
  return_url?: string;
  mandate_data?: MandateDataInput | null;
  payment_method_data?: SetupConfirmInput['payment_method_data'];
}

/** Creates a SetupIntent (POST /v1/setup_intents); with `confirm=true` it is confirmed in the same request. */
export async function createSetupIntent(work: UnitOfWork, deps: SetupConfirmDependencies, scope: Scope, input: CreateSetupIntentInput): Promise<SetupIntentResult> {
  const types = validateSetupTypes(input.payment_method_types);
  const id = newId('seti');
  const build = (paymentMethodId: string | null): SetupIntentRow => ({
    id,
    account_id: scope.accountId,
    livemode: scope.livemode,
    status: paymentMethodId ? 'requires_confirmation' : 'requires_payment_method',
    client_secret: clientSecret(id),
    customer_id: input.customer ?? null,
    payment_method_id: paymentMethodId,
    payment_method_types: types,
    usage: input.usage ?? 'off_session',
    description: input.description ?? null,
    metadata: mergeMetadata({}, input.metadata),
    return_url: null,
    payment_method_options: mergeSetupOptions({}, input.payment_method_options),
    // Without confirm=true mandate_data is refused by the route, as at Stripe.
    mandate_data: input.mandate_data ? mandateDataOf(input.mandate_data) : null,
    mandate_id: null,
    attach_to_self: input.attach_to_self ?? false,
    last_setup_error: null,
    next_action: null,
    latest_attempt_id: null,
    cancellation_reason: null,
    created: nowSeconds(),
  });

  if (!input.confirm) {
    return work.finalTransaction(async (client) => {
      await checkCustomer(client, scope, input.customer);
      let paymentMethodId: string | null = null;
      if (input.payment_method) {
        const paymentMethod = await resolvePaymentMethod(client, deps, scope, input.payment_method, 'payment_method');
        checkSetupPaymentMethodOwner(paymentMethod, input.customer ?? null);
        paymentMethodId = paymentMethod.id;
      }
      const inserted = await insertSetupIntent(client, build(paymentMethodId));
      await recordEvent(client, scope, work, 'setup_intent.created', renderSetupIntent(inserted));
      return { intent: inserted };
    });
  }
  // Create and confirm: the SetupIntent, its creation event, its first attempt and the recovery point commit together
  // before the provider is asked.
  const begun = await work.transaction(async (client) => {
    await checkCustomer(client, scope, input.customer);
    const inserted = await insertSetupIntent(client, build(null));
    await recordEvent(client, scope, work, 'setup_intent.created', renderSetupIntent(inserted));
    const confirm: SetupConfirmInput = {
      payment_method: input.payment_method ?? undefined, payment_method_data: input.payment_method_data, return_url: input.return_url, mandate_data: input.mandate_data,
    };
    const started = await beginSetupAttempt(client, deps, scope, inserted, confirm, work);
    await work.checkpoint(client, id);
    return started;
  });
  return finishSetupAttempt(work, deps, scope, begun);
}

/**
 * A SetupIntent, as it is now. One still `processing` whose attempt is due for another question to its provider (an
 * earlier answer was ambiguous) is asked first: reading it is one of the ways its outcome arrives.
 */
export async function retrieveSetupIntent(deps: SetupConfirmDependencies, scope: Scope, id: string): Promise<SetupIntentRow> {
  const intent = await findSetupIntent(deps.db, scope, id);
  if (!intent) throw missing('setup_intent', id);
  if (intent.status !== 'processing' || intent.latest_attempt_id === null) return intent;
  const attempt = await findSetupAttempt(deps.db, intent.latest_attempt_id);
  if (!attempt || attempt.status !== 'processing' || attempt.next_sync_at === null || attempt.next_sync_at.getTime() > Date.now()) return intent;
  return (await resolveSetupAttempt(deps, attempt))?.intent ?? intent;
}

/**
 * Finishes a create-and-confirm or confirm request whose first step committed before its process died (found through
 * the idempotency key's recovery point): its attempt is asked again if still in flight, and the answer is the
 * SetupIntent as it is, as the original request would have given.
 */
export async function resumeSetupConfirmation(work: UnitOfWork, deps: SetupConfirmDependencies, scope: Scope, id: string): Promise<SetupIntentResult> {
  const intent = await findSetupIntent(deps.db, scope, id);
  if (!intent) throw missing('setup_intent', id);
  if (intent.status === 'processing' && intent.latest_attempt_id) {
    const attempt = await findSetupAttempt(deps.db, intent.latest_attempt_id);
    if (attempt && attempt.status === 'processing') await resolveSetupAttempt(deps, attempt);
  }
  return work.finalTransaction(async (client) => {
    const current = await findSetupIntent(client, scope, id);
    assert(current, `setup intent ${id} exists`);
    return current.status === 'requires_payment_method' && current.last_setup_error ? { intent: current, error: current.last_setup_error } : { intent: current };
  });
}

/** Updates a SetupIntent (POST /v1/setup_intents/:id); a new PaymentMethod sends it back for confirmation. */
export async function updateSetupIntentFields(work: UnitOfWork, deps: SetupConfirmDependencies, scope: Scope, id: string, input: SetupIntentFieldsInput): Promise<SetupIntentResult> {
  return work.finalTransaction(async (client) => {
    const intent = await findSetupIntent(client, scope, id, { forUpdate: true });
    if (!intent) throw missing('setup_intent', id);
    const onlyDescriptive = Object.entries(input).every(([key, value]) => value === undefined || key === 'metadata' || key === 'description');
    // Metadata and description may change in any state but processing (the attempt's outcome renders the SetupIntent).
    if (!onlyDescriptive || intent.status === 'processing') assertSetupTransition('update', intent.status, { setup_intent: renderSetupIntent(intent) });
    const changes: Parameters<typeof updateSetupIntent>[2] = { metadata: mergeMetadata(intent.metadata, input.metadata) };
    if (input.description !== undefined) changes.description = input.description;
    if (input.customer !== undefined) {
      if (intent.customer_id !== null && input.customer !== intent.customer_id) {
        throw new ApiError('setup_intent_invalid_parameter', 'The customer of a SetupIntent cannot be changed once set.', { param: 'customer' });
      }
      await checkCustomer(client, scope, input.customer);
      changes.customer_id = input.customer;
    }
    if (input.payment_method_types !== undefined) changes.payment_method_types = validateSetupTypes(input.payment_method_types);
    if (input.payment_method_options !== undefined) changes.payment_method_options = mergeSetupOptions(intent.payment_method_options, input.payment_method_options);
    if (input.attach_to_self !== undefined) changes.attach_to_self = input.attach_to_self;
    if (input.payment_method !== undefined) {
      if (input.payment_method === null) {
        changes.payment_method_id = null;
      } else {
        const paymentMethod = await resolvePaymentMethod(client, deps, scope, input.payment_method, 'payment_method');
        checkSetupPaymentMethodOwner(paymentMethod, changes.customer_id !== undefined ? changes.customer_id : intent.customer_id);
        changes.payment_method_id = paymentMethod.id;
      }
      // A new PaymentMethod abandons a challenge the customer was given for the old one, and waits for confirmation.
      if (intent.status === 'requires_action' && intent.latest_attempt_id) {
        await updateSetupAttempt(client, intent.latest_attempt_id, { status: 'abandoned', next_sync_in_seconds: null }, ['requires_action']);
        await abandonSetupChallenges(client, intent.id);
      }
      changes.status = changes.payment_method_id ? 'requires_confirmation' : 'requires_payment_method';
      changes.next_action = null;
    }
    const updated = await updateSetupIntent(client, intent, changes);
    assert(updated, 'held under its row lock');
    return { intent: updated };
  });
}

/** Cancels a SetupIntent (POST /v1/setup_intents/:id/cancel): final; a challenge waiting for the customer is abandoned. */
export async function cancelSetupIntent(work: UnitOfWork, scope: Scope, id: string, reason: SetupCancellationReason | undefined): Promise<SetupIntentResult> {
  return work.finalTransaction(async (client) => {
    const intent = await findSetupIntent(client, scope, id, { forUpdate: true });
    if (!intent) throw missing('setup_intent', id);
    assertSetupTransition('cancel', intent.status, { setup_intent: renderSetupIntent(intent) });
    if (intent.status === 'requires_action' && intent.latest_attempt_id) {
      await updateSetupAttempt(client, intent.latest_attempt_id, { status: 'abandoned', next_sync_in_seconds: null }, ['requires_action']);
      await abandonSetupChallenges(client, intent.id);
    }
    const updated = await updateSetupIntent(client, intent, { status: 'canceled', cancellation_reason: reason ?? null, next_action: null });
    assert(updated, 'held under its row lock');
    await recordEvent(client, scope, work, 'setup_intent.canceled', renderSetupIntent(updated));
    return { intent: updated };
  });
}

export function listSetupIntentPage(db: Queryable, scope: Scope, page: PageRequest, filters: { customer?: string; paymentMethod?: string; attachToSelf?: boolean }): Promise<Page<SetupIntentRow>> {
  return listSetupIntents(db, scope, page, filters);
}

/** A SetupIntent's attempts, newest first (GET /v1/setup_attempts?setup_intent=...); an unknown SetupIntent is a 404. */
export async function listSetupAttemptPage(db: Queryable, scope: Scope, page: PageRequest, setupIntentId: string): Promise<Page<SetupAttemptRow>> {
  if (!(await findSetupIntent(db, scope, setupIntentId))) throw missing('setup_intent', setupIntentId, 'setup_intent');
  return listSetupAttempts(db, scope, page, setupIntentId);
}

/** What lets a publishable key read or confirm one SetupIntent: its client secret (payments/client-secret.ts). */
export function checkSetupIntentClientSecret(db: Queryable, scope: Scope, id: string, secret: string | undefined): Promise<void> {
  return checkClientSecret({ resource: 'setup_intent', name: 'SetupIntent', id, clientSecret: secret, find: () => findSetupIntent(db, scope, id) });
}
