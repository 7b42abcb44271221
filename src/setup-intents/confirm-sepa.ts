import type { Queryable } from '../platform/db.ts';
import type { EventRequest } from '../events/repository.ts';
import { recordEvents, type NewEvent } from '../events/service.ts';
import { newMandate, type MandateDataInput as MandateAcceptanceInput } from '../mandates/plan.ts';
import { insertMandate } from '../mandates/repository.ts';
import { ApiError, assert } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { Scope } from '../platform/scope.ts';
import { renderPaymentMethod } from '../payment-methods/render.ts';
import { attachIfUnattached, insertPaymentMethod, type PaymentMethodRow } from '../payment-methods/repository.ts';
import { renderSetupIntent } from './render.ts';
import { insertSetupAttempt, updateSetupAttempt, updateSetupIntent } from './repository.ts';
import type { MandateData, SetupIntentRow } from './types.ts';

/*
 * Setting up a sepa_debit PaymentMethod, as Stripe's SetupIntents do: nothing is asked of a bank (the IBAN's checksum
 * was checked when the PaymentMethod was made, and a SEPA debit is only ever refused when it is collected), so the
 * confirmation succeeds at once with a new multi-use mandate built from the customer's acceptance (`mandate_data`).
 * Later off-session PaymentIntents debit under that mandate. Everything (the PaymentMethod when it is new, the
 * mandate, the attempt, the SetupIntent, the attach and the events) is written in the confirmation's transaction.
 */

/** The attempt's `connector`: no provider is asked, Payrail itself records the mandate. */
export const sepaSetupConnector = 'payrail_mandate';

/** Stripe's `mandate_data` as the mandate takes it, from the confirmation's or, when absent, the SetupIntent's. */
function acceptanceInput(given: MandateAcceptanceInput | null | undefined, stored: MandateData | null): MandateAcceptanceInput {
  if (given) return given;
  if (given === undefined && stored) {
    const acceptance = stored.customer_acceptance;
    return {
      customer_acceptance: {
        type: acceptance.type,
        ...(acceptance.accepted_at !== null ? { accepted_at: acceptance.accepted_at } : {}),
        ...(acceptance.online ? { online: acceptance.online } : {}),
      },
    };
  }
  throw new ApiError(
    'parameter_missing',
    'Missing required param: mandate_data[customer_acceptance]. Setting up a sepa_debit PaymentMethod needs the customer\'s acceptance of the mandate (online with ip_address and user_agent, or offline).',
    { param: 'mandate_data[customer_acceptance]' },
  );
}

/**
 * Completes a sepa_debit SetupIntent in the caller's transaction, under the SetupIntent's row lock (the state was
 * checked by the caller): the SetupIntent is `succeeded` with its `mandate` when this returns.
 */
export async function completeSepaSetup(
  client: Queryable,
  scope: Scope,
  work: EventRequest | undefined,
  intent: SetupIntentRow,
  found: { row: PaymentMethodRow; isNew: boolean },
  input: { mandate_data?: MandateAcceptanceInput | null; return_url?: string; mandateData: MandateData | null },
  firstSyncSeconds: number,
): Promise<SetupIntentRow> {
  const paymentMethod = found.row;
  const mandate = newMandate(scope, { paymentMethodId: paymentMethod.id, paymentMethodType: paymentMethod.type, singleUse: null }, acceptanceInput(input.mandate_data, intent.mandate_data));
  if (found.isNew) await insertPaymentMethod(client, scope, paymentMethod);
  await insertMandate(client, mandate);
  const attempt = await insertSetupAttempt(client, {
    id: newId('setatt'),
    account_id: scope.accountId,
    livemode: scope.livemode,
    setup_intent_id: intent.id,
    payment_method_id: paymentMethod.id,
    customer_id: intent.customer_id,
    usage: intent.usage,
    attach_to_self: intent.attach_to_self,
    status: 'processing',
    connector: sepaSetupConnector,
    connector_configuration_id: null,
    verification_currency: 'eur',
    payment_method_details: { type: 'sepa_debit', sepa_debit: {} },
    created: nowSeconds(),
  }, firstSyncSeconds);
  const succeeded = await updateSetupAttempt(client, attempt.id, { status: 'succeeded', next_sync_in_seconds: null }, ['processing']);
  assert(succeeded, `setup attempt ${attempt.id} was just written`);
  const updated = await updateSetupIntent(client, intent, {
    status: 'succeeded',
    payment_method_id: paymentMethod.id,
    latest_attempt_id: attempt.id,
    mandate_id: mandate.id,
    mandate_data: input.mandateData,
    last_setup_error: null,
    next_action: null,
    return_url: input.return_url ?? intent.return_url,
  });
  assert(updated, `setup intent ${intent.id} is held under its row lock`);
  const events: NewEvent[] = [];
  if (updated.customer_id !== null) {
    const attached = await attachIfUnattached(client, scope, paymentMethod.id, updated.customer_id);
    if (attached) events.push({ type: 'payment_method.attached', object: renderPaymentMethod(attached) });
  }
  events.push({ type: 'setup_intent.succeeded', object: renderSetupIntent(updated) });
  await recordEvents(client, scope, work, events);
  return updated;
}
