import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import type { RoutingCache } from '../orchestration/routing-cache.ts';

/**
 * The payment method types an account can take now, and in which currencies: those its enabled connector
 * configurations carry (its platform's, for a connected account without its own), or the built-in test processor's
 * in test mode without any. `currencies` is null for a type some connector takes in every currency.
 */
export async function availableTypes(db: Queryable, routing: RoutingCache, scope: Scope): Promise<Map<string, ReadonlySet<string> | null>> {
  const context = await routing.get(db, scope);
  const types = new Map<string, Set<string> | null>();
  for (const { candidate } of context.candidates) {
    for (const type of candidate.paymentMethodTypes) {
      const known = types.get(type);
      if (known === null) continue;
      if (candidate.supportedCurrencies.length === 0) types.set(type, null);
      else types.set(type, new Set([...(known ?? []), ...candidate.supportedCurrencies]));
    }
  }
  return types;
}
