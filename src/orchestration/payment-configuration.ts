import { findPlatformOf } from '../connect/repository.ts';
import { findConnectorConfiguration, findEnabledConnectorConfigurations, type ConnectorConfigurationRow } from '../connectors/configurations/repository.ts';
import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';

/**
 * The configuration a payment of the account in `scope` was routed through, by the id its attempt or charge recorded:
 * the account's own or, for a connected account, its platform's (a connected account without configurations of its
 * own routes through its platform's: src/orchestration/routing-cache.ts). Found even when since disabled or deleted.
 * Nothing else is reachable: another platform's configuration, or a sibling account's, is not found.
 */
export async function findPaymentConfiguration(db: Queryable, scope: Scope, configurationId: string): Promise<ConnectorConfigurationRow | undefined> {
  const own = await findConnectorConfiguration(db, scope, configurationId, { includeDeleted: true });
  if (own) return own;
  const platform = scope.platformAccountId ?? (await findPlatformOf(db, scope));
  if (platform === null) return undefined;
  return findConnectorConfiguration(db, { accountId: platform, livemode: scope.livemode }, configurationId, { includeDeleted: true });
}

/**
 * The enabled configurations the account's payments route through, in routing order: its own or, for a connected
 * account with none of its own in the mode, its platform's (the rule of src/orchestration/routing-cache.ts, read
 * without the cache, for what is not on a payment's path: which methods a Checkout Session offers).
 */
export async function findRoutingConfigurations(db: Queryable, scope: Scope): Promise<ConnectorConfigurationRow[]> {
  const own = await findEnabledConnectorConfigurations(db, scope);
  if (own.length > 0) return own;
  const platform = scope.platformAccountId ?? (await findPlatformOf(db, scope));
  return platform === null ? own : findEnabledConnectorConfigurations(db, { accountId: platform, livemode: scope.livemode });
}
