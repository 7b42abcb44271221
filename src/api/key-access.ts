import { allows, permissionName, requiredPermission } from '../api-keys/permissions.ts';
import type { Caller } from '../api-keys/resolver.ts';
import { ApiError } from '../platform/errors.ts';
import type { RouteDefinition } from './route.ts';

/** A key as Stripe shows it in errors: the prefix, stars, and the last four characters. */
export function redactKey(key: string): string {
  return `${key.slice(0, 8)}${'*'.repeat(Math.min(Math.max(key.length - 12, 0), 24))}${key.slice(-4)}`;
}

/**
 * What each kind of key may call: a secret key everything; a publishable key only what tokenizes, and one
 * PaymentIntent given its client secret (Stripe's rule); a
 * restricted key what its permissions give, and never key management. Refusals are Stripe's: 401 for a publishable
 * key, 403 naming the missing `rak_` permission for a restricted one (the SDKs raise StripePermissionError).
 */
export function checkKeyAccess(caller: Caller, key: string, route: Pick<RouteDefinition, 'method' | 'path' | 'publishable' | 'clientSecretAccess'>): void {
  if (caller.keyKind === 'secret') return;
  if (caller.keyKind === 'publishable') {
    // A route taking a client secret lets the key in; the route then checks the secret (RouteDefinition.clientSecretAccess).
    if (route.publishable || route.clientSecretAccess) return;
    throw new ApiError('secret_key_required', 'This API call cannot be made with a publishable API key. Please use a secret API key.');
  }
  const needed = requiredPermission(route.method, route.path);
  if (needed === undefined) {
    throw new ApiError('insufficient_permissions', `The provided key '${redactKey(key)}' does not have the required permissions for this endpoint on account '${caller.accountId}'. This is a restricted API key, but this endpoint needs a secret key.`);
  }
  if (!allows(caller.permissions ?? {}, needed)) {
    throw new ApiError('insufficient_permissions', `The provided key '${redactKey(key)}' does not have the required permissions for this endpoint on account '${caller.accountId}'. Having the '${permissionName(needed)}' permission would allow this request to continue.`);
  }
}
