/**
 * Restricted keys (`rk_test_`, `rk_live_`), as at Stripe: each resource is given `none`, `read` or `write`, and write
 * implies read. A GET needs read on the route's resource, a POST or DELETE needs write. The permission a request needs
 * is named as Stripe names it (`rak_charge_write`) in the 403 a restricted key without it gets.
 */

export const permissionLevels = ['none', 'read', 'write'] as const;
export type PermissionLevel = (typeof permissionLevels)[number];
export type Access = 'read' | 'write';

/** The resources a restricted key can be given access to, by the name used in `permissions[...]`. */
export const permissionResources = [
  'account', 'balance', 'balance_transaction', 'charge', 'customer', 'event', 'external_account', 'payment_intent',
  'payment_method', 'payout', 'refund', 'source', 'token', 'webhook_endpoint', 'connector_configuration', 'routing_profile',
  'product', 'price', 'payment_link', 'checkout_session', 'file', 'setup_intent', 'transfer', 'application_fee', 'dispute', 'radar_early_fraud_warning',
] as const;
export type PermissionResource = (typeof permissionResources)[number];

export type Permissions = Partial<Record<PermissionResource, Exclude<PermissionLevel, 'none'>>>;

/**
 * The resource each literal path segment names. A route's resource is the last segment of its path found here, so
 * `/v1/customers/:id/payment_methods` needs payment_method access and `/v1/payment_intents/:id/capture` needs
 * payment_intent access (verbs such as `capture` are not resources).
 */
const segmentResources: Record<string, PermissionResource> = {
  account: 'account',
  accounts: 'account',
  // Stripe's restricted keys have no Account Link permission of their own: creating one is writing the account.
  account_links: 'account',
  balance: 'balance',
  balance_transactions: 'balance_transaction',
  history: 'balance_transaction',
  charges: 'charge',
  customers: 'customer',
  events: 'event',
  external_accounts: 'external_account',
  // Stripe has no person permission of its own: a connected account's persons are the account's.
  persons: 'account',
  people: 'account',
  files: 'file',
  payment_intents: 'payment_intent',
  payment_links: 'payment_link',
  payment_methods: 'payment_method',
  // Stripe's rak_payment_method_configuration_* is its own; Payrail's restricted keys count it as payment methods.
  payment_method_configurations: 'payment_method',
  // Stripe's rak_mandate_read is its own; Payrail's restricted keys count mandates as payment methods.
  mandates: 'payment_method',
  payouts: 'payout',
  prices: 'price',
  products: 'product',
  refunds: 'refund',
  // Stripe's rak_dispute_*: closing a dispute writes it.
  disputes: 'dispute',
  // Stripe's rak_radar_early_fraud_warning_read (`/v1/radar/early_fraud_warnings`).
  early_fraud_warnings: 'radar_early_fraud_warning',
  // Stripe's rak_setup_intent_*: SetupAttempts are read with the SetupIntent permission.
  setup_attempts: 'setup_intent',
  setup_intents: 'setup_intent',
  sources: 'source',
  tokens: 'token',
  // Stripe's rak_transfer_*: a transfer's reversals are the transfer's.
  transfers: 'transfer',
  reversals: 'transfer',
  // Stripe's rak_application_fee_*: a fee's refunds are the fee's (see requiredPermission).
  application_fees: 'application_fee',
  webhook_endpoints: 'webhook_endpoint',
  connector_configurations: 'connector_configuration',
  routing_profile: 'routing_profile',
  // `/v1/checkout/sessions`: Stripe's `rak_checkout_session_*`.
  sessions: 'checkout_session',
};

export interface RequiredPermission {
  resource: PermissionResource;
  access: Access;
}

/**
 * What a route needs from a restricted key, or undefined when no restricted key may call it (key management: only a
 * secret key may create, roll or revoke keys, so a leaked restricted key cannot mint itself more power).
 */
export function requiredPermission(method: string, path: string): RequiredPermission | undefined {
  const segments = path.split('/').filter((segment) => segment !== '' && !segment.startsWith(':'));
  if (segments.includes('api_keys')) return undefined;
  // `/v1/application_fees/:id/refunds` are fee refunds, not refunds: Stripe's rak_application_fee_*.
  if (segments[1] === 'application_fees') return { resource: 'application_fee', access: method === 'GET' ? 'read' : 'write' };
  for (let index = segments.length - 1; index >= 0; index -= 1) {
    const resource = segmentResources[segments[index]];
    if (resource !== undefined) return { resource, access: method === 'GET' ? 'read' : 'write' };
  }
  return undefined;
}

export function allows(permissions: Permissions, needed: RequiredPermission): boolean {
  const level = permissions[needed.resource];
  return level === 'write' || (level === 'read' && needed.access === 'read');
}

/** Stripe's name for a permission, as its errors show it. */
export function permissionName(needed: RequiredPermission): string {
  return `rak_${needed.resource}_${needed.access}`;
}
