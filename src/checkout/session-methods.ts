import type { Dependencies } from '../dependencies.ts';
import { automaticPaymentMethodTypes } from '../payment-method-configurations/automatic.ts';
import { availableTypes } from '../payment-method-configurations/available-types.ts';
import { preferenceOf } from '../payment-method-configurations/preferences.ts';
import { localMethodTypeNames, methodTypeOf } from '../payment-methods/method-types.ts';
import { ApiError } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';

/**
 * The payment method types a payment-mode session may offer: cards, PayPal's button, and every local method of the
 * table (src/payment-methods/method-types.ts), each with what the hosted page asks for it (local-method-fields.ts).
 */
export const checkoutPaymentMethodTypes = ['card', 'paypal', ...localMethodTypeNames] as const;
export type CheckoutPaymentMethodType = (typeof checkoutPaymentMethodTypes)[number];

export type SessionMethodsDependencies = Pick<Dependencies, 'db' | 'routing' | 'paymentMethodConfigurations'>;

/**
 * Without `payment_method_types`, a payment-mode session offers what the account's default Payment Method
 * Configuration has on and the account can take in the session's currency: the same choice as a PaymentIntent with
 * automatic payment methods (payment-method-configurations/automatic.ts), as Stripe Checkout's dynamic payment
 * methods are. Nothing left (cards turned off, nothing else on) is refused naming `payment_method_types`.
 */
export async function offeredPaymentMethodTypes(deps: SessionMethodsDependencies, scope: Scope, currency: string): Promise<CheckoutPaymentMethodType[]> {
  let picked: string[];
  try {
    picked = (await automaticPaymentMethodTypes(deps, scope, { currency, allowRedirects: 'always' })).types;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'payment_intent_invalid_parameter') throw new ApiError('invalid_value', error.message, { param: 'payment_method_types' });
    throw error;
  }
  // PayPal's button came with a PayPal connector before configurations existed: an account that never set PayPal's
  // preference keeps it (when a connector carries it); `on` or `off` in the configuration decides otherwise.
  if (!picked.includes('paypal')) {
    const configuration = await deps.paymentMethodConfigurations.get(deps.db, scope);
    if (preferenceOf(configuration.preferences, 'paypal') === 'none' && (await availableTypes(deps.db, deps.routing, scope)).has('paypal')) picked.push('paypal');
  }
  return picked.filter((type): type is CheckoutPaymentMethodType => (checkoutPaymentMethodTypes as readonly string[]).includes(type));
}

/**
 * The checks of a session's own `payment_method_types` (payment mode), by the method table: each local method must
 * take the session's currency and its amount (boleto's R$5.00 to R$49,999.99), and the account must be able to take
 * it now (a connector configuration of the account or its platform carries it, or the built-in test processor in test
 * mode). Cards always can (routing decides at confirmation), and PayPal is checked when the shopper chooses it.
 */
export async function checkSessionPaymentMethodTypes(deps: SessionMethodsDependencies, scope: Scope, types: readonly string[], currency: string, amount: number): Promise<void> {
  let available: Awaited<ReturnType<typeof availableTypes>> | undefined;
  for (const [index, type] of types.entries()) {
    const method = methodTypeOf(type);
    if (!method?.local) continue;
    const param = `payment_method_types[${index}]`;
    if (method.currencies.length > 0 && !method.currencies.includes(currency)) {
      throw new ApiError('invalid_value', `The payment method type ${type} cannot be used with ${currency.toUpperCase()}: it supports ${method.currencies.join(', ')}.`, { param });
    }
    const min = method.amountMin?.[currency];
    const max = method.amountMax?.[currency];
    if ((min !== undefined && amount < min) || (max !== undefined && amount > max)) {
      throw new ApiError('invalid_value', `The payment method type ${type} takes ${currency.toUpperCase()} amounts from ${min ?? 1} to ${max ?? 'any'} (minor units); this session's total is ${amount}.`, { param });
    }
    available ??= await availableTypes(deps.db, deps.routing, scope);
    const currencies = available.get(type);
    if (currencies === undefined || (currencies !== null && !currencies.has(currency))) {
      throw new ApiError('invalid_value', `The payment method type ${type} is not available to this account in ${currency.toUpperCase()}: no connector configuration carries it.`, { param });
    }
  }
}
