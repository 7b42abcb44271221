import { randomBytes } from 'node:crypto';
import { ApiError } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { findReusableMandate, type MandateRow } from './repository.ts';

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
const mandateTypes: ReadonlySet<string> = new Set(['sepa_debit']);

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

/**
 * Decides the mandate of a confirmation. `reusable` (multi-use) when the intent saves the PaymentMethod for later
 * (`setup_future_usage`) or the merchant charges off-session; single-use, for this amount, otherwise.
 */
export async function planMandate(
  db: Queryable, scope: Scope,
  payment: { paymentMethodId: string; paymentMethodType: string; amount: number; currency: string; setupFutureUsage: string | null; offSession: boolean },
  mandateData: MandateDataInput | undefined,
): Promise<MandatePlan> {
  if (!mandateTypes.has(payment.paymentMethodType)) return { mandate: null, isNew: false };
  if (mandateData === undefined) {
    const existing = payment.offSession ? await findReusableMandate(db, scope, payment.paymentMethodId) : undefined;
    if (existing) return { mandate: existing, isNew: false };
    throw new ApiError(
      'parameter_missing',
      `Missing required param: mandate_data[customer_acceptance]. A ${payment.paymentMethodType} payment needs the customer's mandate; an off-session payment may use an active multi-use mandate of its PaymentMethod instead.`,
      { param: 'mandate_data[customer_acceptance]' },
    );
  }
  const multiUse = payment.setupFutureUsage !== null || payment.offSession;
  const mandate: MandateRow = {
    id: newId('mandate'),
    account_id: scope.accountId,
    livemode: scope.livemode,
    payment_method_id: payment.paymentMethodId,
    payment_method_type: payment.paymentMethodType,
    type: multiUse ? 'multi_use' : 'single_use',
    // SEPA mandates are usable at once: the debit itself is what the bank may refuse.
    status: 'active',
    reference: newReference(),
    customer_acceptance: acceptanceOf(mandateData),
    single_use: multiUse ? null : { amount: payment.amount, currency: payment.currency },
    created: nowSeconds(),
  };
  return { mandate, isNew: true };
}
