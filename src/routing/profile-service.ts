import type { Dependencies } from '../dependencies.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { missing } from '../platform/errors.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { applyRoutingProfileUpdate, checkRoutingProfileUpdate, defaultRoutingProfile, failoverToJson, referencedConfigurations, routingRuleToJson, type RoutingProfileUpdate } from './profile.ts';
import { existingConfigurationIds, findRoutingProfileRow, lockRoutingProfile, routingProfileOf, saveRoutingProfile, type RoutingProfileRow } from './profile-repository.ts';
import { renderRoutingProfile, type RoutingProfileView } from './render.ts';

/** What updating a routing profile uses: the clock for its update time. */
export type RoutingProfileDependencies = Pick<Dependencies, 'clock'>;

/** Events of routing profiles (a Payrail extension). */
export const routingProfileEventTypes = {
  updated: 'payrail.routing_profile.updated',
} as const;

function viewOf(row: RoutingProfileRow | undefined): RoutingProfileView {
  return row === undefined ? { profile: defaultRoutingProfile, created: null, updated: null } : { profile: routingProfileOf(row), created: row.created, updated: row.updated };
}

/** The caller's profile for the key's mode: the stored one, or the defaults. */
export async function retrieveRoutingProfile(db: Queryable, scope: Scope): Promise<RoutingProfileView> {
  return viewOf(await findRoutingProfileRow(db, scope));
}

/**
 * Updates the caller's profile for the key's mode. Everything that needs no database is checked first; then, under a
 * per-account-and-mode lock, the configurations the new rules name must exist for this account and mode (a
 * configuration deleted later is simply not a candidate, and a rule naming it skips it). An update that changes
 * nothing writes nothing and records no event; a real change records `payrail.routing_profile.updated` with Stripe's
 * `previous_attributes`. Routing caches pick the change up within their lifetime.
 */
export async function updateRoutingProfile(work: UnitOfWork, deps: RoutingProfileDependencies, scope: Scope, update: RoutingProfileUpdate): Promise<RoutingProfileView> {
  checkRoutingProfileUpdate(update);
  return work.finalTransaction(async (client) => {
    await lockRoutingProfile(client, scope);
    const currentRow = await findRoutingProfileRow(client, scope);
    const current = viewOf(currentRow);
    const next = applyRoutingProfileUpdate(current.profile, update);
    if (update.rules) {
      const references = referencedConfigurations(next.rules);
      const existing = await existingConfigurationIds(client, scope, references.map((reference) => reference.id));
      const absent = references.find((reference) => !existing.has(reference.id));
      if (absent) throw missing('connector configuration', absent.id, absent.param);
    }
    const before = renderRoutingProfile(current, scope);
    const after = renderRoutingProfile({ ...current, profile: next }, scope);
    const previous = changedAttributes(before, after);
    // Nothing changed (this includes an account on the defaults sending the defaults): nothing to store or announce.
    if (Object.keys(previous).length === 0) return current;
    const now = deps.clock.nowSeconds();
    const saved = await saveRoutingProfile(client, {
      account_id: scope.accountId,
      livemode: scope.livemode,
      strategy: next.strategy,
      exploration_bps: next.explorationBps,
      rules: next.rules.map(routingRuleToJson),
      failover: failoverToJson(next.failover),
      created: currentRow?.created ?? now,
      updated: now,
    });
    const view = viewOf(saved);
    const rendered = renderRoutingProfile(view, scope);
    await recordEvent(client, scope, work, routingProfileEventTypes.updated, rendered, changedAttributes(before, rendered));
    return view;
  });
}
