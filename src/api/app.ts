import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Caller } from '../api-keys/resolver.ts';
import { checkKeyAccess, redactKey } from './key-access.ts';
import type { Dependencies } from '../dependencies.ts';
import { apiVersion } from '../events/service.ts';
import { accountInvalid, actingScope } from '../connect/access.ts';
import type { Scope } from '../platform/scope.ts';
import { ApiError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { expandResponse, validateExpand } from './expand.ts';
import { DeferredKey, KeyDecided, KeyExisted } from './deferred-key.ts';
import { answerParts, beginIdempotent, checkKey, checkpointStatement, completeIdempotent, fingerprint, releaseIdempotent, type StoredResponse } from './idempotency.ts';
import { buildOpenApi } from './openapi.ts';
import { registerCors } from './cors.ts';
import { defaultPublishableRateLimits, registerPublishableRateLimits, type PublishableRateLimits } from './publishable-rate-limits.ts';
import { decodeUtf8, parseForm, parseJson, parseQueryString, requestBodyBytesMax } from './request-parsing.ts';
import { readMultipartBody, registerMultipart } from './multipart.ts';
import { registerBrandingImages } from './routes/branding-images.ts';
import { registerFileContents } from './routes/files.ts';
import type { Presentation, RouteContext, RouteDefinition } from './route.ts';
import { allRoutes } from './routes/index.ts';
import { registerAuthenticationPages } from './routes/authentication-pages.ts';
import { registerCheckoutPages } from './routes/checkout-page.ts';
import { registerOnboardingPages } from './routes/account-onboarding-page.ts';
import { registerEmbeddedCheckoutPages } from './routes/checkout-embed-page.ts';
import { registerPaymentLinkPages } from './routes/payment-link-pages.ts';
import { registerProviderWebhooks } from './routes/provider-webhooks.ts';
import { registerRedirectPages } from './routes/redirect-pages.ts';
import { registerTestPaymentPage } from './routes/test-payment-page.ts';
import { registerPixQrImages } from './routes/pix-qr-images.ts';
import { registerTestDisplayPages } from './routes/test-display-page.ts';
import { registerUpiIntentPage } from './routes/upi-intent-page.ts';
import { registerMandatePage } from './routes/mandate-page.ts';
import { registerReferencePage } from './routes/reference-page.ts';
import { registerPayrailJs } from './routes/payrail-js.ts';
import { array, string } from './schema.ts';
import { escapeHtml, page, setPageHeaders } from './html.ts';
import { answerClientError, drainRequestBody, requestHeaderBytesMax } from './connection-limits.ts';
import { publicErrorBody, shouldRetryHeader } from './error-response.ts';
import { maskDigitRuns } from './text.ts';

declare module 'fastify' {
  interface FastifyRequest {
    requestId: string;
  }
}

const expandSchema = array(string({ maxLength: 200 }), { maxItems: 20 });

export interface AppOptions {
  logRequests?: boolean;
  /** Limits on publishable keys' requests (defaults: defaultPublishableRateLimits). */
  publishableRateLimits?: PublishableRateLimits;
}

function authorizationKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value.trim();
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.split(':', 1)[0];
  }
  return undefined;
}

function errorPresentation(error: ApiError): Presentation {
  return { status: error.status, body: { error: publicErrorBody(error) } };
}

/** Maps anything thrown to a Stripe error; only genuine bugs become 500s. */
function toApiError(error: unknown, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  const candidate = error as { code?: string; statusCode?: number; message?: string };
  switch (candidate.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('request_too_large', `Request body is too large: the limit is ${requestBodyBytesMax} bytes.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', 'Unsupported Content-Type: send application/x-www-form-urlencoded or application/json.');
    case '55P03': // lock_not_available
    case '40P01': // deadlock_detected
    case '40001': // serialization_failure
      return new ApiError('lock_timeout', 'This object cannot be accessed right now because another API request or Payrail process is currently accessing it. Please retry shortly.');
  }
  if (typeof candidate.statusCode === 'number' && candidate.statusCode >= 400 && candidate.statusCode < 500) {
    return new ApiError('invalid_request_body', `Invalid request: ${candidate.message ?? 'malformed request'}`, { status: candidate.statusCode === 413 ? 413 : 400 });
  }
  console.error(JSON.stringify({ level: 'error', request_id: request.requestId, method: request.method, url: maskDigitRuns(request.url.split('?')[0]), error: maskDigitRuns((error as Error)?.stack ?? String(error)) }));
  return new ApiError('api_error', 'An unexpected error occurred inside Payrail. The error has been logged with this request id.');
}

/** What a Stripe-Version header looks like (`2024-04-10`, `2026-10-28.endive`). */
const stripeVersionPattern = /^[0-9A-Za-z._-]{1,64}$/;

/** Longest id accepted in a path (ids in the OpenAPI document are declared with this maximum). */
const pathIdLengthMax = 255;

/** A path id that PostgreSQL text cannot hold (NUL, unpaired surrogates) names no object. */
function checkPathIds(params: Record<string, string>): void {
  for (const [name, value] of Object.entries(params)) {
    if (value.includes('\u0000') || !value.isWellFormed()) throw new ApiError('resource_missing', 'No such object: the id contains characters no id can contain.', { param: name });
  }
}

/**
 * Sends an error envelope. A body the request still carries (too large, or never parsed) is read to its end first,
 * within a bound, so the client, still sending, reads the answer instead of a reset; a 413 closes the connection
 * as Stripe's does.
 */
async function sendError(request: FastifyRequest, reply: FastifyReply, apiError: ApiError): Promise<void> {
  const drained = await drainRequestBody(request.raw);
  if (!drained || apiError.status === 413) reply.header('Connection', 'close');
  const retry = shouldRetryHeader(apiError.status);
  if (retry) reply.header('Stripe-Should-Retry', retry);
  reply.status(apiError.status).send({ error: publicErrorBody(apiError) });
}

/** Headers every answer carries: browsers must not guess content types, and API answers (which can carry secrets) are never cached. */
function setCommonHeaders(reply: FastifyReply, url: string): void {
  reply.header('X-Content-Type-Options', 'nosniff');
  if (/^\/v1(?:[/?]|$)/.test(url)) reply.header('Cache-Control', 'no-store');
}

export function buildApp(deps: Dependencies, options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    http: { maxHeaderSize: requestHeaderBytesMax },
    clientErrorHandler: answerClientError,
    logger: false,
    bodyLimit: requestBodyBytesMax,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: pathIdLengthMax },
    // The router refuses some URLs before any route or hook runs; they still get Stripe's envelope, not Fastify's.
    frameworkErrors: (error, request, genericReply) => {
      const reply = genericReply as FastifyReply;
      const apiError = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new ApiError('resource_missing', `No such object: ids are at most ${pathIdLengthMax} characters long.`, { param: 'id' })
        : error.code === 'FST_ERR_BAD_URL'
          ? new ApiError('url_not_found', 'Unrecognized request URL: the path is not valid percent-encoded UTF-8.')
          : toApiError(error, request);
      reply.header('Request-Id', newId('req'));
      setCommonHeaders(reply, request.url);
      void sendError(request as FastifyRequest, reply, apiError);
    },
    return503OnClosing: true,
    forceCloseConnections: false,
    requestTimeout: 60_000,
  });
  const keys = deps.keys;

  app.decorateRequest('requestId', '');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseForm(decodeUtf8(body as Buffer)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      const text = decodeUtf8(body as Buffer, '\\u0000');
      done(null, text.trim() === '' ? {} : parseJson(text));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    request.requestId = newId('req');
    reply.header('Request-Id', request.requestId);
    setCommonHeaders(reply, request.url);
    const version = request.headers['stripe-version'];
    // Echoed only when it looks like a version: a 64 KiB header echoed back would overflow the client's own limits.
    reply.header('Stripe-Version', typeof version === 'string' && stripeVersionPattern.test(version) ? version : apiVersion);
  });
  if (options.logRequests) {
    app.addHook('onResponse', async (request, reply) => {
      // Only method, path (no query: it may carry data), status and timing are logged; never bodies or keys.
      console.log(JSON.stringify({ request_id: request.requestId, method: request.method, path: maskDigitRuns(request.url.split('?')[0]), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }));
    });
  }

  app.setErrorHandler((error, request, reply) => sendError(request, reply, toApiError(error, request)));
  app.setNotFoundHandler((request, reply) => {
    const error = new ApiError('url_not_found', `Unrecognized request URL (${request.method}: ${request.url.split('?')[0]}). Please see the API reference in docs/api.md.`);
    return sendError(request, reply, error);
  });

  const routes = allRoutes();
  registerCors(app, routes);
  registerMultipart(app, routes);
  const limitPublishable = registerPublishableRateLimits(app, options.publishableRateLimits ?? defaultPublishableRateLimits);

  async function authenticate(request: FastifyRequest, reply: FastifyReply, route: Pick<RouteDefinition, 'method' | 'path' | 'publishable' | 'clientSecretAccess'>): Promise<Caller> {
    const key = authorizationKey(request);
    if (!key) {
      throw new ApiError('api_key_missing', "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').");
    }
    const caller = await keys.resolve(key);
    if (!caller) throw new ApiError('api_key_invalid', `Invalid API Key provided: ${redactKey(key)}`);
    checkKeyAccess(caller, key, route);
    await limitPublishable(request, reply, caller);
    return actAs(request, caller);
  }

  /**
   * Stripe-Account: a platform's key acting as one of its connected accounts. The request then works in that account's
   * scope (its objects, its idempotency keys); a foreign, deleted or unknown account is Stripe's 403 account_invalid.
   */
  async function actAs(request: FastifyRequest, caller: Caller): Promise<Caller> {
    const header = request.headers['stripe-account'];
    if (header === undefined) return caller;
    if (typeof header !== 'string') throw accountInvalid('(several Stripe-Account headers)');
    const scope = await actingScope(deps.db, { accountId: caller.accountId, livemode: caller.livemode }, header.trim());
    return scope.accountId === caller.accountId ? caller : { ...caller, accountId: scope.accountId, platformAccountId: caller.accountId };
  }

  async function handle(route: RouteDefinition, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const caller = await authenticate(request, reply, route);
    // A multipart body (a file upload) is read only now, once the caller is known: nobody unauthenticated makes
    // Payrail buffer a file.
    const body = route.method === 'POST' && request.isMultipart() ? await readMultipartBody(request, route.acceptsFiles === true) : request.body;
    const raw = (route.method === 'POST' ? body : parseQueryString(request.url)) as Record<string, unknown> | undefined;
    const input: Record<string, unknown> = { ...(raw ?? {}) };
    if (route.method === 'DELETE' && request.body && typeof request.body === 'object') Object.assign(input, request.body);
    const expandRaw = input.expand;
    delete input.expand;
    const expand = expandSchema.parse(expandRaw, 'expand') ?? [];
    validateExpand(route.response, expand);
    const params = route.parameters.parse(input, '')!;
    checkPathIds(request.params as Record<string, string>);
    route.precheck?.(params);

    const scope: Scope = { accountId: caller.accountId, livemode: caller.livemode, ...(caller.platformAccountId ? { platformAccountId: caller.platformAccountId } : {}) };
    if (caller.keyKind === 'publishable' && route.clientSecretAccess) {
      const refused = expand.find((path) => !route.clientSecretAccess!.expandable.includes(path));
      if (refused !== undefined) throw new ApiError('invalid_expand', `This property cannot be expanded with a publishable key (${refused}).`, { param: 'expand' });
      await route.clientSecretAccess.check(deps, scope, request.params as Record<string, string>, params);
    }
    const path = request.url.split('?')[0];
    const headerKey = route.method === 'POST' ? request.headers['idempotency-key'] : undefined;
    const idempotencyKey = typeof headerKey === 'string' ? headerKey : undefined;
    let stored: StoredResponse | undefined;

    const finish = async (db: Parameters<typeof expandResponse>[0], result: unknown, context: RouteContext): Promise<Presentation> => {
      const presentation = route.present(result, context);
      if (presentation.status === 200 && expand.length > 0) await expandResponse(db, scope, presentation.body, expand);
      return presentation;
    };

    let token: string | undefined;
    let resumeResource: string | null = null;
    let deferred: DeferredKey | undefined;
    const sendReplay = (response: StoredResponse): void => {
      reply.header('Idempotent-Replayed', 'true');
      const retry = shouldRetryHeader(response.status);
      if (retry) reply.header('Stripe-Should-Retry', retry);
      reply.status(response.status).send(response.body);
    };
    if (idempotencyKey !== undefined) {
      checkKey(idempotencyKey);
      reply.header('Idempotency-Key', idempotencyKey);
      const requestFingerprint = fingerprint(deps.secretBox, { ...input, expand });
      if (route.takesKeyWithFirstWrite) {
        // The key is taken by the request's first write (deferred-key.ts): one statement and one wait fewer.
        token = randomUUID();
        deferred = new DeferredKey(deps, caller, idempotencyKey, { method: route.method, path, fingerprint: requestFingerprint }, token);
      } else {
        // The key's row is inserted through the group commit: it commits with other requests' statements (merged with
        // theirs, ordered by the key).
        const begun = await beginIdempotent(deps.commits.connection(`idempotency:${idempotencyKey}`), deps.secretBox, caller, idempotencyKey, route.method, path, requestFingerprint);
        if (begun.kind === 'replay') return sendReplay(begun.response);
        token = begun.token;
        resumeResource = begun.resumeResource;
      }
    }
    const keyLost = () => new ApiError('idempotency_key_in_use', 'This request took too long and another request with the same Idempotency-Key took over; its result stands.');

    let context!: RouteContext;
    const work = new UnitOfWork(
      deps.db,
      request.requestId,
      idempotencyKey,
      idempotencyKey === undefined || token === undefined
        ? undefined
        : async (client, result) => {
            const presentation = await finish(client, result, context);
            // Stored in the same transaction as the state change; if the key was taken over, roll it all back.
            if (!(await completeIdempotent(client, deps.secretBox, caller, idempotencyKey, token, presentation))) throw keyLost();
            stored = { status: presentation.status, body: presentation.body };
          },
      idempotencyKey === undefined || token === undefined
        ? undefined
        : (resourceId) => ({
            // Run alone, or as a part of a step's statement; either way it writes only while this request holds the key.
            part: { name: 'key_checkpoint', statement: checkpointStatement(caller, idempotencyKey, token!, resourceId) },
            gate: { onlyIfRowsIn: 'key_checkpoint', gateKey: token! },
            lost: keyLost,
          }),
      deps.commits,
      deferred,
      // The final step may store the response in its own statement: rendered before the write, so only without
      // expansions (they read the database).
      idempotencyKey === undefined || token === undefined || expand.length > 0
        ? undefined
        : (result) => {
            const presentation = route.present(result, context);
            const parts = answerParts(deps.secretBox, caller, idempotencyKey, token!, presentation);
            return {
              held: { name: 'key_held', statement: parts.held },
              heldGate: { onlyIfRowsIn: 'key_held', gateKey: token! },
              store: (gate) => ({ name: 'key_answer', statement: parts.store(gate) }),
              stored: () => void (stored = { status: presentation.status, body: presentation.body }),
            };
          },
    );
    context = { caller, scope, work, deps, pathParams: request.params as Record<string, string>, path, clientIp: request.ip, userAgent: String(request.headers['user-agent'] ?? '').slice(0, 1000) };

    const attempt = async (resume: string | null): Promise<Presentation> => {
      const result = resume !== null && route.resume ? await route.resume(context, resume) : await route.handle(context, params);
      const presentation = stored ? { status: stored.status, body: stored.body as Record<string, unknown> } : await finish(deps.db, result, context);
      if (idempotencyKey !== undefined && token !== undefined && !stored) await completeIdempotent(deps.db, deps.secretBox, caller, idempotencyKey, token, presentation);
      return presentation;
    };
    let presentation: Presentation;
    try {
      try {
        presentation = await attempt(resumeResource);
      } catch (error) {
        if (!deferred || deferred.state === 'held') throw error;
        // The request ended before it held its key. The key is Stripe's first check: it decides now. A replay is
        // answered as stored; when the key had to be taken first (or resumed), the request starts over holding it;
        // otherwise the error stands, and is stored under the key like any other.
        const begun = error instanceof KeyDecided ? error.begun : await deferred.decide();
        if (begun.kind === 'replay') return sendReplay(begun.response);
        if (!(error instanceof KeyDecided || error instanceof KeyExisted || begun.resumeResource !== null)) throw error;
        presentation = await attempt(begun.resumeResource);
      }
    } catch (error) {
      const apiError = toApiError(error, request);
      if (idempotencyKey !== undefined && token !== undefined && (!deferred || deferred.state === 'held')) {
        // Stripe saves the result once processing has started, except for conflicts with concurrent requests
        // and server errors, which the client should be able to retry with the same key.
        if (apiError.status === 409 || apiError.status === 429 || apiError.status >= 500) await releaseIdempotent(deps.db, caller, idempotencyKey, token).catch(() => undefined);
        else await completeIdempotent(deps.db, deps.secretBox, caller, idempotencyKey, token, errorPresentation(apiError)).catch(() => undefined);
      }
      throw apiError;
    }
    reply.status(presentation.status).send(presentation.body);
  }

  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      handler: (request, reply) => handle(route as RouteDefinition, request, reply),
    });
  }

  const openApi = buildOpenApi(routes);
  app.get('/v1/openapi.json', async () => openApi);
  app.get('/health', async () => ({ status: 'ok' }));
  // Customer-facing pages: their own security headers, and bad input answered with an HTML page, never a stack trace.
  void app.register(async (pages) => {
    pages.addHook('onRequest', async (_request, reply) => setPageHeaders(reply));
    pages.setErrorHandler(async (error, request, reply) => {
      const apiError = toApiError(error, request);
      const drained = await drainRequestBody(request.raw);
      if (!drained || apiError.status === 413) reply.header('Connection', 'close');
      const title = apiError.status >= 500 ? 'Something went wrong' : 'Bad request';
      return reply.status(apiError.status).type('text/html').send(page(title, `<h1>${title}</h1><p>${escapeHtml(publicErrorBody(apiError).message)}</p>`));
    });
    registerAuthenticationPages(pages, deps);
    registerRedirectPages(pages, deps);
    registerTestPaymentPage(pages, deps);
    registerTestDisplayPages(pages, deps);
    registerPixQrImages(pages, deps);
    registerUpiIntentPage(pages, deps);
    registerMandatePage(pages, deps);
    registerCheckoutPages(pages, deps);
    registerEmbeddedCheckoutPages(pages, deps);
    registerPaymentLinkPages(pages, deps);
    registerBrandingImages(pages, deps);
    registerOnboardingPages(pages, deps);
  });
  // A file's bytes for its account's secret key: not JSON, so beside the route table rather than in it.
  registerFileContents(app, deps, (request, reply, route) => authenticate(request, reply, route));
  registerReferencePage(app, openApi as unknown as Record<string, unknown>);
  registerPayrailJs(app);
  registerProviderWebhooks(app, deps);
  return app;
}
