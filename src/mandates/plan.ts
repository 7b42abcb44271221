import { randomBytes } from 'node:crypto';
import { ApiError } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { findLatestMultiUseMandate, findMandate, type MandateRow } from './repository.ts';

/**
 * The mandate a confirmation debits under. A sepa_debit payment needs the customer's authorization, as at Stripe: given
 * at confirmation (`mandate_data[customer_acceptance]`, a new mandate), or, for an off-session payment, an active
 * multi-use mandate of the PaymentMethod from an earlier payment.
 */

/** `mandate_data` as the API parsed it. */
export interface MandateDataInput {
  customer_acceptance: {
    type: 'online' | 'offline';
    accepted_at?: number;
    online?: { ip_address?: string; user_agent?: string };
    offline?: Record<string, never>;
  };
}

/** The types whose payments need a mandate. */
export const mandateTypes: ReadonlySet<string> = new Set(['sepa_debit']);

/** Characters of a mandate reference: Stripe's are 16 upper-case letters and digits (SEPA allows up to 35). */
const referenceAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const referenceLength = 16;

function newReference(): string {
  const bytes = randomBytes(referenceLength);
  let reference = '';
  for (const byte of bytes) reference += referenceAlphabet[byte % referenceAlphabet.length];
  return reference;
}

function acceptanceOf(data: MandateDataInput): MandateRow['customer_acceptance'] {
  const acceptance = data.customer_acceptance;
  if (acceptance.type === 'online') {
    for (const field of ['ip_address', 'user_agent'] as const) {
      if (!acceptance.online?.[field]) {
        const param = `mandate_data[customer_acceptance][online][${field}]`;
        throw new ApiError('parameter_missing', `Missing required param: ${param}. An online acceptance records where the customer accepted the mandate.`, { param });
      }
    }
    return { type: 'online', accepted_at: acceptance.accepted_at ?? nowSeconds(), online: { ip_address: acceptance.online?.ip_address ?? '', user_agent: acceptance.online?.user_agent ?? '' } };
  }
  if (acceptance.online !== undefined) {
    throw new ApiError('parameter_unknown', 'mandate_data[customer_acceptance][online] cannot be given with an offline acceptance.', { param: 'mandate_data[customer_acceptance][online]' });
  }
  return { type: 'offline', accepted_at: acceptance.accepted_at ?? nowSeconds(), online: null };
}

export interface MandatePlan {
  /** The mandate the payment debits under; null for a type without mandates. */
  mandate: MandateRow | null;
  /** Whether the mandate is new (written with the attempt). */
  isNew: boolean;
}

/** What a new mandate is about: the PaymentMethod, and single-use (for one amount) or multi-use. */
export interface NewMandateInput {
  paymentMethodId: string;
  paymentMethodType: string;
  /** For one payment of this amount; null for a multi-use mandate (later off-session payments). */
  singleUse: { amount: number; currency: string } | null;
}

/** A new active mandate from the customer's acceptance (a confirmation's `mandate_data`). */
export function newMandate(scope: Scope, input: NewMandateInput, mandateData: MandateDataInput): MandateRow {
  return {
    id: newId('mandate'),
    account_id: scope.accountId,
    livemode: scope.livemode,
    payment_method_id: input.paymentMethodId,
    payment_method_type: input.paymentMethodType,
    type: input.singleUse ? 'single_use' : 'multi_use',
    // SEPA mandates are usable at once: the debit itself is what the bank may refuse.
    status: 'active',
    reference: newReference(),
    customer_acceptance: acceptanceOf(mandateData),
    single_use: input.singleUse,
    created: nowSeconds(),
  };
}

/** Stripe's refusal of a mandate that cannot be used (inactive, or another PaymentMethod's). */
function invalidMandate(id: string, why: string): ApiError {
  return new ApiError('payment_intent_mandate_invalid', `The provided mandate ${id} is invalid and can't be used for the payment intent: ${why}`, { param: 'mandate' });
}

/** The mandate named by the `mandate` parameter, checked: this PaymentMethod's and active. */
async function namedMandate(db: Queryable, scope: Scope, id: string, paymentMethodId: string): Promise<MandateRow> {
  const found = await findMandate(db, scope, id);
  if (!found) throw new ApiError('resource_missing', `No such mandate: '${id}'`, { param: 'mandate' });
  if (found.payment_method_id !== paymentMethodId) throw invalidMandate(id, `it authorizes PaymentMethod ${found.payment_method_id}, not ${paymentMethodId}.`);
  if (found.status !== 'active') throw invalidMandate(id, `its status is ${found.status} (the bank reported it can no longer be debited); collect a new mandate from the customer.`);
  return found;
}

/**
 * Decides the mandate of a confirmation. `reusable` (multi-use) when the intent saves the PaymentMethod for later
 * (`setup_future_usage`) or the merchant charges off-session; single-use, for this amount, otherwise. A payment may
 * name its mandate (`mandate`, as at Stripe); an off-session payment without one debits under the PaymentMethod's
 * latest active multi-use mandate, and is refused with `payment_intent_mandate_invalid` when that mandate became
 * inactive (mandates/deactivation.ts).
 */
export async function planMandate(
  db: Queryable, scope: Scope,
  payment: { paymentMethodId: string; paymentMethodType: string; amount: number; currency: string; setupFutureUsage: string | null; offSession: boolean },
  mandateData: MandateDataInput | undefined,
  mandateId?: string,
): Promise<MandatePlan> {
  if (!mandateTypes.has(payment.paymentMethodType)) {
    if (mandateId !== undefined) throw new ApiError('payment_intent_invalid_parameter', `A ${payment.paymentMethodType} payment takes no mandate.`, { param: 'mandate' });
    return { mandate: null, isNew: false };
  }
  if (mandateId !== undefined) {
    if (mandateData !== undefined) throw new ApiError('parameters_exclusive', 'You cannot provide both mandate and mandate_data.', { param: 'mandate_data' });
    return { mandate: await namedMandate(db, scope, mandateId, payment.paymentMethodId), isNew: false };
  }
  if (mandateData === undefined) {
    const latest = payment.offSession ? await findLatestMultiUseMandate(db, scope, payment.paymentMethodId) : undefined;
    if (latest && latest.status === 'active') return { mandate: latest, isNew: false };
    if (latest) throw invalidMandate(latest.id, `its status is ${latest.status} (the bank reported it can no longer be debited); collect a new mandate from the customer.`);
    throw new ApiError(
      'parameter_missing',
      `Missing required param: mandate_data[customer_acceptance]. A ${payment.paymentMethodType} payment needs the customer's mandate; an off-session payment may use an active multi-use mandate of its PaymentMethod instead.`,
      { param: 'mandate_data[customer_acceptance]' },
    );
  }
  const multiUse = payment.setupFutureUsage !== null || payment.offSession;
  const mandate = newMandate(scope, {
    paymentMethodId: payment.paymentMethodId, paymentMethodType: payment.paymentMethodType, singleUse: multiUse ? null : { amount: payment.amount, currency: payment.currency },
  }, mandateData);
  return { mandate, isNew: true };
}
