import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteDefinition } from './route.ts';

/**
 * CORS for the routes a publishable key may call, and only those: a shopper's browser on the merchant's site may
 * create PaymentMethods and tokens, and read and confirm a PaymentIntent with its client secret. Any origin may (the
 * key and the client secret are what authorize, not the page's origin), never with credentials (cookies or HTTP
 * authentication: Payrail uses neither); every other route answers no CORS headers, and its preflight is a 404.
 * Built on @fastify/cors (Fastify's own plugin) with a per-request decision.
 */

/** Headers a browser may send and read on those routes (Stripe.js sends the same ones). */
export const corsAllowedHeaders = ['Authorization', 'Content-Type', 'Idempotency-Key', 'Stripe-Version'];
export const corsExposedHeaders = ['Request-Id', 'Idempotency-Key', 'Idempotent-Replayed', 'Stripe-Should-Retry', 'Retry-After', 'Stripe-Version'];
export const corsMaxAgeSeconds = 600;

interface Pattern {
  method: string;
  pattern: RegExp;
  /** Path parameters: a path matched by several routes belongs to the one with the fewest (static segments win, as in Fastify's router). */
  parameters: number;
  open: boolean;
}

function patternOf(route: Pick<RouteDefinition, 'method' | 'path' | 'publishable' | 'clientSecretAccess'>): Pattern {
  const segments = route.path.split('/');
  const source = segments.map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return {
    method: route.method,
    pattern: new RegExp(`^${source}/?$`),
    parameters: segments.filter((segment) => segment.startsWith(':')).length,
    open: route.publishable === true || route.clientSecretAccess !== undefined,
  };
}

/** Routes and paths are compared only within the same method and number of segments (a trailing slash not counted). */
function bucketOf(method: string, path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return `${method} ${trimmed.split('/').length}`;
}

/**
 * Whether `method` on `path` reaches a route a publishable key may call. It runs on every request (CORS is decided
 * before routing), so each request is tested against the few routes of its method and length only.
 */
export function publishableRouteMatcher(routes: readonly Pick<RouteDefinition, 'method' | 'path' | 'publishable' | 'clientSecretAccess'>[]): (method: string, path: string) => boolean {
  const buckets = new Map<string, Pattern[]>();
  for (const route of routes) {
    const key = bucketOf(route.method, route.path);
    buckets.set(key, [...(buckets.get(key) ?? []), patternOf(route)]);
  }
  return (method, path) => {
    let best: Pattern | undefined;
    for (const candidate of buckets.get(bucketOf(method, path)) ?? []) {
      if (!candidate.pattern.test(path)) continue;
      if (!best || candidate.parameters < best.parameters) best = candidate;
    }
    return best?.open === true;
  };
}

export function registerCors(app: FastifyInstance, routes: readonly RouteDefinition[]): void {
  const isOpen = publishableRouteMatcher(routes);
  const open = {
    origin: '*',
    methods: ['GET', 'POST'],
    allowedHeaders: corsAllowedHeaders,
    exposedHeaders: corsExposedHeaders,
    credentials: false,
    maxAge: corsMaxAgeSeconds,
    strictPreflight: true,
  };
  const closed = { origin: false };
  app.register(cors, {
    hideOptionsRoute: true,
    delegator: (request: FastifyRequest, callback) => {
      const path = request.url.split('?', 1)[0];
      const preflightMethod = request.headers['access-control-request-method'];
      const method = request.method === 'OPTIONS' && typeof preflightMethod === 'string' ? preflightMethod.toUpperCase() : request.method;
      callback(null, isOpen(method, path) ? open : closed);
    },
  });
}
