import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { newId, randomBase62 } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { addressPolicyFor, isForbiddenHost } from './address-guard.ts';
import {
  cancelPendingDeliveries, countWebhookEndpoints, findEvent, findSubscribedEndpoints, findWebhookEndpoint, insertWebhookEndpoint,
  listWebhookAttempts, listWebhookEndpoints, lockEndpointCreation, markWebhookEndpointDeleted, replaceWebhookSecrets, updateWebhookEndpoint,
} from './endpoint-repository.ts';
import { subscribesTo, validateEnabledEvents } from './event-types.ts';
import { queueDelivery, secretAssociatedData, type WebhookAttemptRow, type WebhookDeliveryRow, type WebhookEndpointRow } from './repository.ts';

/** Prefix of a signing secret, as Stripe's (the official libraries expect nothing else, but integrators recognise it). */
export const webhookSecretPrefix = 'whsec_';
/** Random base62 characters after the prefix: 32 carry about 190 bits. */
export const webhookSecretRandomLength = 32;
/** Longest endpoint URL accepted. */
export const webhookUrlLengthMax = 5000;
/** Endpoints an account may have per mode (Stripe's limit): each one multiplies the deliveries of every event. */
export const webhookEndpointsPerAccountMax = 16;
/** How long the previous secret keeps signing after a roll, when the request does not say (one day). */
export const previousSecretLifetimeDefaultSeconds = 86_400;
/** Longest overlap a roll may ask for (seven days). */
export const previousSecretLifetimeMaxSeconds = 604_800;

/** What the endpoint service needs: the secret box, the clock, and whether private addresses are allowed. */
export type WebhookEndpointDependencies = Pick<Dependencies, 'secretBox' | 'clock'> & { webhookSettings: Pick<Dependencies['webhookSettings'], 'allowPrivateAddresses'> };

export interface WebhookEndpointInput {
  url: string;
  enabled_events: string[];
  description?: string | null;
  metadata?: MetadataUpdate;
  api_version?: string;
  connect?: boolean;
}

export interface WebhookEndpointUpdate {
  url?: string;
  enabled_events?: string[];
  disabled?: boolean;
  description?: string | null;
  metadata?: MetadataUpdate;
}

/** An endpoint together with its signing secret in clear, which is shown only in the answer to a create or a roll. */
export interface EndpointWithSecret {
  endpoint: WebhookEndpointRow;
  secret: string;
}

/**
 * Checks that a URL is an absolute http(s) URL within the length limit (no database needed, so it runs before an
 * idempotency key is taken).
 */
export function checkWebhookUrl(url: string, param = 'url'): URL {
  if (url.length > webhookUrlLengthMax) throw new ApiError('url_invalid', `Invalid URL: must be at most ${webhookUrlLengthMax} characters.`, { param });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ApiError('url_invalid', 'Invalid URL: must be an absolute URL such as https://example.com/webhooks.', { param });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ApiError('url_invalid', `Invalid URL: webhooks are sent over http or https only, not ${parsed.protocol.slice(0, -1)}.`, { param });
  }
  return parsed;
}

/**
 * Refuses a URL whose host is itself a forbidden address (or `localhost`) for the endpoint's mode. Names are not
 * resolved here: a name is checked on its resolved address at every delivery, which also catches DNS changes.
 */
function checkWebhookHost(url: URL, scope: Scope, deps: WebhookEndpointDependencies, param = 'url'): void {
  const policy = addressPolicyFor(scope.livemode, deps.webhookSettings.allowPrivateAddresses);
  if (!isForbiddenHost(url.hostname, policy)) return;
  const message = scope.livemode
    ? `Invalid URL: live-mode webhook endpoints must be publicly reachable, and ${url.hostname} is a loopback, private or link-local address. Use a test-mode endpoint to receive webhooks on this machine.`
    : `Invalid URL: test-mode webhook endpoints may target public addresses or loopback (this machine), and ${url.hostname} is a private or link-local address.`;
  throw new ApiError('url_invalid', message, { param });
}

function newSecret(): string {
  return `${webhookSecretPrefix}${randomBase62(webhookSecretRandomLength)}`;
}

/**
 * Creates an endpoint. The signing secret is generated here, stored only as ciphertext bound to the endpoint, and
 * returned in clear this once.
 */
export async function createWebhookEndpoint(work: UnitOfWork, deps: WebhookEndpointDependencies, scope: Scope, input: WebhookEndpointInput): Promise<EndpointWithSecret> {
  checkWebhookHost(checkWebhookUrl(input.url), scope, deps);
  const enabledEvents = validateEnabledEvents(input.enabled_events);
  const id = newId('we');
  const secret = newSecret();
  const secretEncrypted = deps.secretBox.encrypt(secret, secretAssociatedData(id, 'current'));
  return work.finalTransaction(async (client) => {
    await lockEndpointCreation(client, scope);
    if ((await countWebhookEndpoints(client, scope)) >= webhookEndpointsPerAccountMax) {
      throw new ApiError('webhook_endpoint_limit_reached', `You have reached the maximum of ${webhookEndpointsPerAccountMax} ${scope.livemode ? 'live' : 'test'} webhook endpoints. Delete one before creating another.`);
    }
    const endpoint = await insertWebhookEndpoint(client, {
      id,
      account_id: scope.accountId,
      livemode: scope.livemode,
      url: input.url,
      description: input.description ?? null,
      enabled_events: enabledEvents,
      status: 'enabled',
      disabled_reason: null,
      api_version: input.api_version ?? null,
      secret_encrypted: secretEncrypted,
      metadata: mergeMetadata({}, input.metadata),
      created: deps.clock.nowSeconds(),
      connect: input.connect === true,
    });
    return { endpoint, secret };
  });
}

export async function retrieveWebhookEndpoint(db: Queryable, scope: Scope, id: string): Promise<WebhookEndpointRow> {
  const endpoint = await findWebhookEndpoint(db, scope, id);
  if (!endpoint) throw missing('webhook endpoint', id);
  return endpoint;
}

/**
 * Updates an endpoint. `disabled=true` stops deliveries of new events to it (reason `requested`); `disabled=false`
 * re-enables it and forgets any run of failures, so an endpoint disabled for failing gets a fresh start.
 */
export async function modifyWebhookEndpoint(work: UnitOfWork, deps: WebhookEndpointDependencies, scope: Scope, id: string, input: WebhookEndpointUpdate): Promise<WebhookEndpointRow> {
  if (input.url !== undefined) checkWebhookHost(checkWebhookUrl(input.url), scope, deps);
  const enabledEvents = input.enabled_events === undefined ? undefined : validateEnabledEvents(input.enabled_events);
  return work.finalTransaction(async (client) => {
    const current = await findWebhookEndpoint(client, scope, id, { forUpdate: true });
    if (!current) throw missing('webhook endpoint', id);
    let status = current.status;
    let disabledReason = current.disabled_reason;
    let failingSince = current.failing_since;
    if (input.disabled === true && current.status === 'enabled') {
      status = 'disabled';
      disabledReason = 'requested';
    } else if (input.disabled === false) {
      status = 'enabled';
      disabledReason = null;
      failingSince = null;
    }
    return updateWebhookEndpoint(client, current, {
      url: input.url ?? current.url,
      description: input.description === undefined ? current.description : input.description,
      enabled_events: enabledEvents ?? current.enabled_events,
      status,
      disabled_reason: disabledReason,
      failing_since: failingSince,
      metadata: mergeMetadata(current.metadata, input.metadata),
    });
  });
}

/** Deletes an endpoint: it disappears from the API, and its deliveries not yet sent are canceled. */
export async function deleteWebhookEndpoint(work: UnitOfWork, deps: WebhookEndpointDependencies, scope: Scope, id: string): Promise<WebhookEndpointRow> {
  return work.finalTransaction(async (client) => {
    const current = await findWebhookEndpoint(client, scope, id, { forUpdate: true });
    if (!current) throw missing('webhook endpoint', id);
    await markWebhookEndpointDeleted(client, current);
    await cancelPendingDeliveries(client, current.id, deps.clock.nowMilliseconds());
    return { ...current, deleted: true };
  });
}

export function listWebhookEndpointPage(db: Queryable, scope: Scope, page: PageRequest): Promise<Page<WebhookEndpointRow>> {
  return listWebhookEndpoints(db, scope, page);
}

/**
 * Rolls the signing secret (a Payrail extension). The current secret becomes the previous one and keeps signing,
 * beside the new one, for `expiresInSeconds` (0 drops it at once), so receivers can switch without missing events.
 * A previous secret still in its overlap is replaced: only the two newest secrets ever sign.
 */
export async function rollWebhookSecret(work: UnitOfWork, deps: WebhookEndpointDependencies, scope: Scope, id: string, expiresInSeconds = previousSecretLifetimeDefaultSeconds): Promise<EndpointWithSecret> {
  return work.finalTransaction(async (client) => {
    const current = await findWebhookEndpoint(client, scope, id, { forUpdate: true });
    if (!current) throw missing('webhook endpoint', id);
    const secret = newSecret();
    const keepPrevious = expiresInSeconds > 0;
    // Re-encrypted under the `previous` slot: a ciphertext only opens for the slot it was sealed for.
    const previous = keepPrevious ? deps.secretBox.encrypt(deps.secretBox.decrypt(current.secret_encrypted, secretAssociatedData(id, 'current')), secretAssociatedData(id, 'previous')) : null;
    const endpoint = await replaceWebhookSecrets(client, current, {
      secret_encrypted: deps.secretBox.encrypt(secret, secretAssociatedData(id, 'current')),
      previous_secret_encrypted: previous,
      previous_secret_expires_at: keepPrevious ? deps.clock.nowSeconds() + expiresInSeconds : null,
    });
    return { endpoint, secret };
  });
}

/** An endpoint's delivery attempts, newest first (a Payrail extension). */
export async function listWebhookAttemptPage(db: Queryable, scope: Scope, endpointId: string, page: PageRequest, filters: { event?: string }): Promise<Page<WebhookAttemptRow>> {
  await retrieveWebhookEndpoint(db, scope, endpointId);
  return listWebhookAttempts(db, scope, endpointId, page, filters);
}

/**
 * Queues the event again (a Payrail extension): to the named endpoint, which must be enabled and subscribed to the
 * event's type, or else to every enabled endpoint that subscribes to it. Each gets a new delivery with its own
 * retries; earlier deliveries are left as they are.
 */
export async function resendEvent(work: UnitOfWork, deps: Pick<Dependencies, 'clock'>, scope: Scope, eventId: string, input: { webhook_endpoint?: string }): Promise<WebhookDeliveryRow[]> {
  return work.finalTransaction(async (client) => {
    const event = await findEvent(client, scope, eventId);
    if (!event) throw missing('event', eventId);
    let endpoints: WebhookEndpointRow[];
    if (input.webhook_endpoint !== undefined) {
      const endpoint = await findWebhookEndpoint(client, scope, input.webhook_endpoint);
      if (!endpoint) throw missing('webhook endpoint', input.webhook_endpoint, 'webhook_endpoint');
      if (endpoint.status !== 'enabled') {
        throw new ApiError('webhook_endpoint_disabled', `The webhook endpoint ${endpoint.id} is disabled; enable it (disabled=false) before re-sending events to it.`, { param: 'webhook_endpoint' });
      }
      if (!subscribesTo(endpoint.enabled_events, event.type)) {
        throw new ApiError('invalid_value', `The webhook endpoint ${endpoint.id} does not subscribe to ${event.type} events; add the type to its enabled_events first.`, { param: 'webhook_endpoint' });
      }
      endpoints = [endpoint];
    } else {
      endpoints = await findSubscribedEndpoints(client, scope, event.type);
    }
    const nowMs = deps.clock.nowMilliseconds();
    const deliveries: WebhookDeliveryRow[] = [];
    for (const endpoint of endpoints) deliveries.push(await queueDelivery(client, endpoint, event.id, nowMs));
    return deliveries;
  });
}
