import { paymentMethodTypes } from '../payment-methods/repository.ts';

/**
 * What a Payment Method Configuration says about each payment method type, as Stripe's `display_preference`: the
 * account's own `preference` (`on`, `off`, or `none` for never set) and the effective `value`. A type the account
 * never set takes Payrail's default: cards on, every other type off until the account turns it on (as a new Stripe
 * account's configuration shows most methods off), so a type Payrail adds later changes no account's payments.
 */
export const displayPreferences = ['on', 'off', 'none'] as const;
export type DisplayPreference = (typeof displayPreferences)[number];

/** The account's stored choices: a type missing here is `none`. */
export type StoredPreferences = Readonly<Partial<Record<string, 'on' | 'off'>>>;

/** Every type a configuration has a hash for: each payment method type Payrail takes. */
export function configurableTypes(): readonly string[] {
  return paymentMethodTypes;
}

/** Payrail's value for a type the account has not set. */
export function defaultValue(type: string): 'on' | 'off' {
  return type === 'card' ? 'on' : 'off';
}

export function preferenceOf(stored: StoredPreferences, type: string): DisplayPreference {
  return stored[type] ?? 'none';
}

/** The effective value: the account's preference, else Payrail's default. */
export function valueOf(stored: StoredPreferences, type: string): 'on' | 'off' {
  return stored[type] ?? defaultValue(type);
}

/** Applies a request's `<type>[display_preference][preference]` values: `none` forgets the account's choice. */
export function withPreferences(stored: StoredPreferences, changes: Readonly<Record<string, DisplayPreference>>): StoredPreferences {
  const next: Partial<Record<string, 'on' | 'off'>> = { ...stored };
  for (const [type, preference] of Object.entries(changes)) {
    if (preference === 'none') delete next[type];
    else next[type] = preference;
  }
  return next;
}
