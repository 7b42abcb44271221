/**
 * The fields each searchable resource offers, with Stripe's field types (docs/search.md lists them for people):
 *
 * - `numeric`: `:` (equal) and `>`, `<`, `>=`, `<=`; whole numbers, quoted or not (amounts, timestamps).
 * - `string`: `:` exact match and `~` substring match (at least `substringLengthMin` characters), both ignoring case.
 * - `token`: `:` exact, case-sensitive match (ids, statuses, currencies, card details).
 * - `boolean`: `:` with true or false.
 *
 * `metadata["key"]` is on every resource: exact, case-sensitive match of the value, or `null` for "no such key".
 * Any field may be compared with `null` (`-field:null` finds objects where it is set). `=` is the same as `:`.
 */

export type FieldKind = 'numeric' | 'string' | 'token' | 'boolean';

/** Stripe refuses shorter substring (`~`) searches. */
export const substringLengthMin = 3;

export const searchResources = ['customer', 'payment_intent', 'charge', 'product', 'price'] as const;
export type SearchResource = (typeof searchResources)[number];

export const searchFields = {
  customer: {
    created: 'numeric',
    email: 'string',
    name: 'string',
    phone: 'string',
  },
  payment_intent: {
    amount: 'numeric',
    created: 'numeric',
    currency: 'token',
    customer: 'token',
    status: 'token',
  },
  charge: {
    amount: 'numeric',
    'billing_details.address.postal_code': 'token',
    created: 'numeric',
    currency: 'token',
    customer: 'token',
    disputed: 'boolean',
    'payment_method_details.card.brand': 'token',
    'payment_method_details.card.exp_month': 'numeric',
    'payment_method_details.card.exp_year': 'numeric',
    'payment_method_details.card.fingerprint': 'token',
    'payment_method_details.card.last4': 'token',
    refunded: 'boolean',
    status: 'token',
  },
  product: {
    active: 'boolean',
    created: 'numeric',
    description: 'string',
    name: 'string',
    shippable: 'boolean',
    url: 'string',
  },
  price: {
    active: 'boolean',
    created: 'numeric',
    currency: 'token',
    lookup_key: 'string',
    product: 'token',
    type: 'token',
  },
} as const satisfies Record<SearchResource, Record<string, FieldKind>>;

export type SearchField<R extends SearchResource> = keyof (typeof searchFields)[R] & string;
