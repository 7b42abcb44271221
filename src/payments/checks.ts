import type { Scope } from '../platform/scope.ts';
import { findCustomer } from '../customers/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import type { PaymentMethodRow } from '../payment-methods/repository.ts';
import { methodTypeNames } from '../payment-methods/method-types.ts';
import { checkMethodCurrency } from '../payment-methods/local-methods.ts';
import { findPaymentIntent, type PaymentIntentRow } from './repository.ts';

// The checks the intent operations share: what an intent may hold, and the intent found (or under its row lock) or a 404.

/** Every type of the table in payment-methods/method-types.ts. */
export const supportedPaymentMethodTypes: readonly string[] = methodTypeNames;

/**
 * The intent's `payment_method_types`: each a type Payrail takes, and (with `currency`) one that takes the intent's
 * currency, as Stripe refuses `ideal` on a USD intent when it is created or updated.
 */
export function validateTypes(types: string[] | undefined, currency?: string): string[] {
  const result = types ?? ['card'];
  if (result.length === 0) throw new ApiError('invalid_value', 'payment_method_types must contain at least one type', { param: 'payment_method_types' });
  result.forEach((type, index) => {
    if (!(supportedPaymentMethodTypes as readonly string[]).includes(type)) {
      throw new ApiError('invalid_value', `The payment method type "${type}" is invalid. Payrail supports: ${supportedPaymentMethodTypes.join(', ')}.`, { param: `payment_method_types[${index}]` });
    }
    if (currency !== undefined && types !== undefined) checkMethodCurrency(type, currency, 'payment_method_types');
  });
  return result;
}

export async function checkCustomer(client: Queryable, scope: Scope, customerId: string | null | undefined): Promise<void> {
  if (customerId === null || customerId === undefined) return;
  if (!(await findCustomer(client, scope, customerId))) throw missing('customer', customerId, 'customer');
}

export function checkPaymentMethodOwner(paymentMethod: PaymentMethodRow, customerId: string | null): void {
  if (paymentMethod.customer_id !== null && paymentMethod.customer_id !== customerId) {
    throw new ApiError(
      'payment_intent_invalid_parameter',
      `The provided PaymentMethod ${paymentMethod.id} is attached to a Customer. To use it, pass that Customer's id in the customer parameter.`,
      { param: 'payment_method' },
    );
  }
}

/**
 * A PaymentIntent takes only PaymentMethods of its `payment_method_types`; Stripe refuses any other with this
 * message. (Its error code is not documented for this case: Payrail answers `payment_intent_incompatible_payment_method`.)
 */
export function checkPaymentMethodType(paymentMethod: PaymentMethodRow, types: readonly string[]): void {
  if (!types.includes(paymentMethod.type)) {
    throw new ApiError(
      'payment_intent_incompatible_payment_method',
      `The PaymentMethod provided (${paymentMethod.type}) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: ${types.join(', ')}. Alternatively, update the allowed payment_method_types for this PaymentIntent to include "${paymentMethod.type}".`,
      { param: 'payment_method' },
    );
  }
}

export async function retrievePaymentIntent(db: Queryable, scope: Scope, id: string): Promise<PaymentIntentRow> {
  const intent = await findPaymentIntent(db, scope, id);
  if (!intent) throw missing('payment_intent', id);
  return intent;
}

export async function lockIntent(client: Queryable, scope: Scope, id: string): Promise<PaymentIntentRow> {
  const intent = await findPaymentIntent(client, scope, id, { forUpdate: true });
  if (!intent) throw missing('payment_intent', id);
  return intent;
}
