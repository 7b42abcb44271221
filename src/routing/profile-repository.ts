import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { failoverFromJson, routingRuleFromJson, type FailoverJson, type RoutingRuleJson } from './profile.ts';
import type { RoutingProfile, RoutingStrategy } from './types.ts';

/**
 * The SQL of routing profiles: one row per account and mode (`routing_profiles`), absent until the account changes
 * its routing. Rules and failover settings are stored in their API JSON form. Every query is scoped to the caller's
 * account and mode.
 */

export interface RoutingProfileRow {
  account_id: string;
  livemode: boolean;
  strategy: RoutingStrategy;
  exploration_bps: number;
  rules: RoutingRuleJson[];
  failover: Partial<FailoverJson>;
  created: number;
  updated: number;
}

export async function findRoutingProfileRow(db: Queryable, scope: Scope): Promise<RoutingProfileRow | undefined> {
  const result = await db.query<RoutingProfileRow>('SELECT * FROM routing_profiles WHERE account_id = $1 AND livemode = $2', [scope.accountId, scope.livemode]);
  return result.rows[0];
}

/** The profile a row holds, in domain form. */
export function routingProfileOf(row: RoutingProfileRow): RoutingProfile {
  return { strategy: row.strategy, explorationBps: row.exploration_bps, rules: row.rules.map(routingRuleFromJson), failover: failoverFromJson(row.failover) };
}

/** The account's stored profile for the mode; undefined when it has none (the defaults then apply). */
export async function findRoutingProfile(db: Queryable, scope: Scope): Promise<RoutingProfile | undefined> {
  const row = await findRoutingProfileRow(db, scope);
  return row && routingProfileOf(row);
}

/**
 * Serializes profile updates of an account and mode until the transaction ends. A row lock cannot do it: before the
 * first update there is no row to lock.
 */
export async function lockRoutingProfile(db: Queryable, scope: Scope): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`routing_profiles:${scope.accountId}:${scope.livemode}`]);
}

/** Inserts or replaces the profile of an account and mode; `created` is kept from the first write. */
export async function saveRoutingProfile(db: Queryable, row: RoutingProfileRow): Promise<RoutingProfileRow> {
  const result = await db.query<RoutingProfileRow>(
    `INSERT INTO routing_profiles (account_id, livemode, strategy, exploration_bps, rules, failover, created, updated)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (account_id, livemode) DO UPDATE SET strategy = EXCLUDED.strategy, exploration_bps = EXCLUDED.exploration_bps, rules = EXCLUDED.rules,
       failover = EXCLUDED.failover, updated = EXCLUDED.updated
     RETURNING *`,
    [row.account_id, row.livemode, row.strategy, row.exploration_bps, JSON.stringify(row.rules), JSON.stringify(row.failover), row.created, row.updated],
  );
  return result.rows[0];
}

/**
 * Which of `ids` are connector configurations of the caller (any state but deleted: a rule may name a configuration
 * that is disabled for now). One query, however many rules name configurations.
 */
export async function existingConfigurationIds(db: Queryable, scope: Scope, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const result = await db.query<{ id: string }>(
    'SELECT id FROM connector_configurations WHERE account_id = $1 AND livemode = $2 AND NOT deleted AND id = ANY($3)',
    [scope.accountId, scope.livemode, [...new Set(ids)]],
  );
  return new Set(result.rows.map((row) => row.id));
}
