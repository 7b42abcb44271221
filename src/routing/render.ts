import type { Scope } from '../platform/scope.ts';
import { failoverToJson, routingRuleToJson } from './profile.ts';
import type { RoutingProfile } from './types.ts';

/** The object name of a routing profile: a Payrail extension, namespaced as Stripe namespaces its own. */
export const routingProfileObject = 'payrail.routing_profile';

/** A profile with when it was stored (null for the defaults of an account that has not stored one). */
export interface RoutingProfileView {
  profile: RoutingProfile;
  created: number | null;
  updated: number | null;
}

/**
 * The `payrail.routing_profile` object. It has no id: there is one per account and mode, as there is one `balance`.
 * `created` and `updated` are null while the account uses the defaults.
 */
export function renderRoutingProfile(view: RoutingProfileView, scope: Scope): Record<string, unknown> {
  return {
    object: routingProfileObject,
    created: view.created,
    exploration_bps: view.profile.explorationBps,
    failover: failoverToJson(view.profile.failover),
    livemode: scope.livemode,
    rules: view.profile.rules.map(routingRuleToJson),
    strategy: view.profile.strategy,
    updated: view.updated,
  };
}
