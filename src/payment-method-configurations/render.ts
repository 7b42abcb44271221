import { configurableTypes, preferenceOf, valueOf } from './preferences.ts';
import type { PaymentMethodConfigurationRow } from './repository.ts';

/**
 * The Stripe `payment_method_configuration` object: one hash per payment method type Payrail takes, with the
 * account's `preference`, the effective `value`, and `available` (the value is on and the account can take the type:
 * `availableTypes`, from its connectors). `overridable` is null: Payrail has no parent configurations (Stripe's are
 * managed in its Dashboard, not the API), so `parent` and `application` are null too.
 */
export function renderPaymentMethodConfiguration(row: PaymentMethodConfigurationRow, availableTypes: ReadonlySet<string>): Record<string, unknown> {
  const rendered: Record<string, unknown> = {
    id: row.id,
    object: 'payment_method_configuration',
    active: row.active,
    application: null,
    is_default: row.is_default,
    livemode: row.livemode,
    name: row.name,
    parent: null,
  };
  for (const type of configurableTypes()) {
    const value = valueOf(row.preferences, type);
    rendered[type] = {
      available: value === 'on' && availableTypes.has(type),
      display_preference: { overridable: null, preference: preferenceOf(row.preferences, type), value },
    };
  }
  return rendered;
}
