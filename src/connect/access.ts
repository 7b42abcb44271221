import type { Queryable } from '../platform/db.ts';
import { ApiError } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import { findConnectedAccount, findConnectedAccountById, isConnectedAccountOf } from './repository.ts';
import type { ConnectedAccountRow } from './types.ts';

// Who may act on which account. A platform's key reaches its own account and, through the `Stripe-Account` header or
// an account id in the path, its connected accounts in the key's mode; nothing else. Another platform's account, a
// sibling, an account of the other mode, a deleted account and an unknown id all get the same answer, Stripe's 403
// `account_invalid`, so account ids cannot be probed.

export const accountIdPattern = /^acct_[0-9A-Za-z]{1,64}$/;

export function accountInvalid(id: string, param?: string): ApiError {
  return new ApiError('account_invalid', `The provided key does not have access to account '${id}' (or that account does not exist). Application access may have been revoked.`, param ? { param } : {});
}

/**
 * The scope a request works in when its key's account is `scope` and it names `accountId` (the Stripe-Account header):
 * the caller's own account, or one of its connected accounts in the same mode.
 */
export async function actingScope(db: Queryable, scope: Scope, accountId: string): Promise<Scope> {
  if (accountId === scope.accountId) return scope;
  if (!accountIdPattern.test(accountId)) throw accountInvalid(accountId.slice(0, 80));
  if (!(await isConnectedAccountOf(db, scope, accountId))) throw accountInvalid(accountId);
  return { accountId, livemode: scope.livemode };
}

/**
 * The account an `/v1/accounts/:account...` path names, as seen from the caller's scope: its own account (with its
 * Connect row when it is itself a connected account, reached through Stripe-Account), or one of its connected accounts.
 */
export type AccountTarget =
  | { kind: 'own'; scope: Scope; connected: ConnectedAccountRow | undefined }
  | { kind: 'connected'; scope: Scope; connected: ConnectedAccountRow };

export async function accountTarget(db: Queryable, scope: Scope, accountId: string, options: { forUpdate?: boolean } = {}): Promise<AccountTarget> {
  if (accountId === scope.accountId) {
    const self = await findConnectedAccountById(db, scope.accountId, options);
    // A connected account is reached in the mode it was made in only.
    return { kind: 'own', scope, connected: self && self.livemode === scope.livemode ? self : undefined };
  }
  if (!accountIdPattern.test(accountId)) throw accountInvalid(accountId.slice(0, 80), 'account');
  const connected = await findConnectedAccount(db, scope, accountId, options);
  if (!connected) throw accountInvalid(accountId, 'account');
  return { kind: 'connected', scope: { accountId: connected.id, livemode: scope.livemode }, connected };
}
