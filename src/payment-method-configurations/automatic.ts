import type { Dependencies } from '../dependencies.ts';
import { ApiError } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import { methodTypeOf } from '../payment-methods/method-types.ts';
import { availableTypes } from './available-types.ts';
import { configurableTypes, valueOf, type StoredPreferences } from './preferences.ts';
import { findConfiguration } from './repository.ts';

export type AutomaticTypesDependencies = Pick<Dependencies, 'db' | 'routing' | 'paymentMethodConfigurations'>;

/** Whether a type's payment sends the shopper away to the method's own page (excluded by `allow_redirects=never`). */
function redirects(type: string): boolean {
  return methodTypeOf(type)?.nextAction === 'redirect_to_url';
}

/** Whether the method itself takes the currency (its table entry; an empty list takes any). */
function takesCurrency(type: string, currency: string): boolean {
  const currencies = methodTypeOf(type)?.currencies ?? [];
  return currencies.length === 0 || currencies.includes(currency);
}

export interface AutomaticTypes {
  types: string[];
  /** The configuration they came from (`payment_method_configuration_details.id`). */
  configurationId: string;
}

/**
 * The payment method types of a PaymentIntent with automatic payment methods, as Stripe picks them: those the
 * configuration (`payment_method_configuration`, else the account's default) has on, that the account can take in
 * the intent's currency (the method's own currencies, docs/payment-methods.md, and its connectors'), without
 * redirecting ones when `allow_redirects` is `never`. Cards are among them whenever the
 * configuration has them on, whatever the connectors (routing decides at confirmation, as for an intent that names
 * `card`), so an account's card payments never depend on this choice.
 */
export async function automaticPaymentMethodTypes(
  deps: AutomaticTypesDependencies, scope: Scope, input: { configuration?: string; currency: string; allowRedirects: 'always' | 'never' },
): Promise<AutomaticTypes> {
  let configuration: { id: string; active: boolean; preferences: StoredPreferences };
  if (input.configuration !== undefined) {
    const found = await findConfiguration(deps.db, scope, input.configuration);
    if (!found) throw new ApiError('resource_missing', `No such payment_method_configuration: '${input.configuration}'`, { param: 'payment_method_configuration' });
    configuration = found;
  } else {
    configuration = await deps.paymentMethodConfigurations.get(deps.db, scope);
  }
  if (!configuration.active) {
    throw new ApiError('invalid_value', `The payment method configuration ${configuration.id} is not active; activate it or use another.`, { param: 'payment_method_configuration' });
  }
  const available = await availableTypes(deps.db, deps.routing, scope);
  const types = configurableTypes().filter((type) => {
    if (valueOf(configuration.preferences, type) !== 'on') return false;
    if (input.allowRedirects === 'never' && redirects(type)) return false;
    if (type === 'card') return true;
    if (!takesCurrency(type, input.currency)) return false;
    const currencies = available.get(type);
    return currencies === null || (currencies !== undefined && currencies.has(input.currency));
  });
  if (types.length === 0) {
    throw new ApiError('payment_intent_invalid_parameter',
      `No payment method type is both turned on in the payment method configuration ${configuration.id} and available to this account for ${input.currency.toUpperCase()}${input.allowRedirects === 'never' ? ' without a redirect' : ''}. Turn one on, or name payment_method_types.`,
      { param: input.configuration !== undefined ? 'payment_method_configuration' : 'automatic_payment_methods' });
  }
  return { types, configurationId: configuration.id };
}
