import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../api-keys/resolver.ts';
import { ApiError } from '../platform/errors.ts';

/**
 * Requests per minute a publishable key may make: in all (one merchant's shoppers together) and from one client
 * address (one shopper, or one card-testing bot). Publishable keys are public by design, so these limits, not the
 * key, are what stops a script from trying stolen card numbers through a merchant's page at volume.
 */
export interface PublishableRateLimits {
  perKeyPerMinute: number;
  perAddressPerMinute: number;
}

/** 100 a second per key (Stripe's live-mode default for a whole account); 120 a minute per address (a checkout makes a handful). */
export const defaultPublishableRateLimits: PublishableRateLimits = { perKeyPerMinute: 6_000, perAddressPerMinute: 120 };

type Limiter = (request: FastifyRequest) => Promise<{ isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }>;

/**
 * Registers @fastify/rate-limit (Fastify's own plugin; counts in memory, per process) with no limit of its own on
 * any route, and answers the check the API runs once it knows the caller: publishable keys only, both limits, each
 * request counted once in each. Over a limit: Stripe's 429 `rate_limit` with Retry-After.
 */
export function registerPublishableRateLimits(app: FastifyInstance, limits: PublishableRateLimits): (request: FastifyRequest, reply: FastifyReply, caller: Caller) => Promise<void> {
  app.register(rateLimit, { global: false });
  const keyOf = new WeakMap<FastifyRequest, string>();
  let limiters: Limiter[] | undefined;
  return async (request, reply, caller) => {
    if (caller.keyKind !== 'publishable') return;
    keyOf.set(request, caller.keyId);
    limiters ??= [
      app.createRateLimit({ max: limits.perKeyPerMinute, timeWindow: 60_000, keyGenerator: (req) => `publishable-key:${keyOf.get(req)}` }),
      app.createRateLimit({ max: limits.perAddressPerMinute, timeWindow: 60_000, keyGenerator: (req) => `publishable-address:${keyOf.get(req)}:${req.ip}` }),
    ] as Limiter[];
    for (const limiter of limiters) {
      const outcome = await limiter(request);
      if (outcome.isExceeded) {
        reply.header('Retry-After', String(Math.max(1, outcome.ttlInSeconds ?? 1)));
        throw new ApiError('rate_limit', 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.');
      }
    }
  };
}
