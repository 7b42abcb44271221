import type { Caller } from '../api-keys/resolver.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { Page } from '../platform/pagination.ts';
import type { ResponseShape } from './expand.ts';
import type { ObjectOf, ObjectSchema, Schema } from './schema.ts';

export interface RouteContext {
  caller: Caller;
  scope: Scope;
  work: UnitOfWork;
  deps: Dependencies;
  pathParams: Record<string, string>;
  /** Path of the request without its query string (for list `url`). */
  path: string;
  /** The caller's IP address as the server saw it (a token's `client_ip`). */
  clientIp: string;
  /** The caller's User-Agent header ('' without one): a mandate's online acceptance inferred from the shopper's browser. */
  userAgent: string;
}

/** What a route answers: a status and a JSON body (a Stripe object, list or error envelope). */
export interface Presentation {
  status: number;
  body: Record<string, unknown>;
}

type Properties = Record<string, Schema<unknown>>;

export interface RouteDefinition<P extends Properties = Properties, R = unknown> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Fastify-style path, e.g. `/v1/customers/:id`. */
  path: string;
  operationId: string;
  summary: string;
  /** Request parameters: the query string for GET and DELETE, the body for POST. `expand` is added for every route. */
  parameters: ObjectSchema<P>;
  /** What the route returns, for `expand` checks and the OpenAPI document. */
  response: ResponseShape;
  /**
   * Whether it takes a multipart/form-data body with a file part (Stripe's file upload, `POST /v1/files`); every
   * other route answers such a body with 415.
   */
  acceptsFiles?: boolean;
  /** Whether a publishable key may call it (Stripe allows tokenization only). */
  publishable?: boolean;
  /**
   * For a route a publishable key may call only with the object's client secret (a shopper's browser reading or
   * confirming one PaymentIntent): `check` proves it, before anything is written or an idempotency key is taken, and
   * `expandable` lists the only expansions such a caller may ask for.
   */
  clientSecretAccess?: {
    check(deps: Dependencies, scope: Scope, pathParams: Record<string, string>, params: NoInfer<ObjectOf<P>>): Promise<void>;
    expandable: readonly string[];
  };
  /**
   * Checks that need no database, run before an idempotency key is taken: as at Stripe, a request refused here is not
   * stored under its key, and the client may retry the key with corrected parameters.
   */
  precheck?(params: ObjectOf<P>): void;
  /**
   * The route's first write is one statement that can carry the idempotency key's insert (`UnitOfWork.checkpointPart`):
   * the key is taken by that write instead of by a statement of its own before the handler runs (api/deferred-key.ts).
   * Only for a handler that writes nothing and calls no provider before that write.
   */
  takesKeyWithFirstWrite?: boolean;
  handle(context: RouteContext, params: ObjectOf<P>): Promise<R>;
  /**
   * For routes whose services checkpoint (multi-step requests): finishes the request for a resource an earlier,
   * crashed holder of the same idempotency key had started, instead of running it again.
   */
  resume?(context: RouteContext, resourceId: string): Promise<R>;
  present(result: R, context: RouteContext): Presentation;
}

export function defineRoute<P extends Properties, R>(route: RouteDefinition<P, R>): RouteDefinition<P, R> {
  return route;
}

/** Stripe's list envelope. */
export function presentList<T>(page: Page<T>, url: string, render: (row: T) => Record<string, unknown>): Presentation {
  return { status: 200, body: { object: 'list', data: page.rows.map(render), has_more: page.hasMore, url } };
}

export function presentObject(body: Record<string, unknown>): Presentation {
  return { status: 200, body };
}
