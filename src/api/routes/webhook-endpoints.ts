import {
  checkWebhookUrl, createWebhookEndpoint, deleteWebhookEndpoint, listWebhookAttemptPage, listWebhookEndpointPage, modifyWebhookEndpoint,
  previousSecretLifetimeDefaultSeconds, previousSecretLifetimeMaxSeconds, resendEvent, retrieveWebhookEndpoint, rollWebhookSecret, webhookUrlLengthMax,
} from '../../webhooks/endpoints.ts';
import { enabledEventsMax, validateEnabledEvents } from '../../webhooks/event-types.ts';
import { renderWebhookAttempt, renderWebhookDelivery, renderWebhookEndpoint } from '../../webhooks/render.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { array, boolean, emptyable, integer, metadata, object, required, string } from '../schema.ts';
import { listParameters, noParameters } from './common.ts';

/** Longest event type name (Stripe's longest is well under it). */
const eventTypeLengthMax = 100;
const descriptionLengthMax = 5000;

const urlParameter = string({ maxLength: webhookUrlLengthMax, description: 'The absolute http(s) URL events are POSTed to. Live-mode endpoints must be publicly reachable.' });
const enabledEventsParameter = array(string({ maxLength: eventTypeLengthMax }), {
  maxItems: enabledEventsMax,
  description: "Event types to send to the endpoint: types Payrail emits, or '*' for all.",
});

export const webhookEndpointRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/webhook_endpoints', operationId: 'PostWebhookEndpoints', summary: 'Create a webhook endpoint (the answer carries its signing secret, the only time it is shown)',
    parameters: object({
      url: required(urlParameter),
      enabled_events: required(enabledEventsParameter),
      description: emptyable(string({ maxLength: descriptionLengthMax })),
      metadata: metadata(),
      api_version: string({ maxLength: 64, pattern: /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/, patternMessage: 'Invalid api_version: expected a Stripe API version such as 2025-10-29.clover' }),
      connect: boolean({ description: "Whether this endpoint receives the events of the account's connected accounts (true, each with `account` set) instead of its own (false, the default)." }),
    }, { required: ['url', 'enabled_events'] }),
    response: { kind: 'object', type: 'webhook_endpoint' },
    // Checked before an idempotency key is taken, so a corrected request may reuse the key.
    precheck: (params) => {
      checkWebhookUrl(params.url);
      validateEnabledEvents(params.enabled_events);
    },
    handle: (context, params) => createWebhookEndpoint(context.work, context.deps, context.scope, params),
    present: (created) => presentObject(renderWebhookEndpoint(created.endpoint, created.secret)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/webhook_endpoints/:id', operationId: 'GetWebhookEndpointsWebhookEndpoint', summary: 'Retrieve a webhook endpoint',
    parameters: noParameters,
    response: { kind: 'object', type: 'webhook_endpoint' },
    handle: (context) => retrieveWebhookEndpoint(context.deps.db, context.scope, context.pathParams.id),
    present: (row) => presentObject(renderWebhookEndpoint(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/webhook_endpoints/:id', operationId: 'PostWebhookEndpointsWebhookEndpoint', summary: 'Update a webhook endpoint (disabled=true stops deliveries; disabled=false re-enables it)',
    parameters: object({
      url: urlParameter,
      enabled_events: enabledEventsParameter,
      disabled: boolean({ description: 'Disable (true) or re-enable (false) the endpoint.' }),
      description: emptyable(string({ maxLength: descriptionLengthMax })),
      metadata: metadata(),
    }),
    response: { kind: 'object', type: 'webhook_endpoint' },
    precheck: (params) => {
      if (params.url !== undefined) checkWebhookUrl(params.url);
      if (params.enabled_events !== undefined) validateEnabledEvents(params.enabled_events);
    },
    handle: (context, params) => modifyWebhookEndpoint(context.work, context.deps, context.scope, context.pathParams.id, params),
    present: (row) => presentObject(renderWebhookEndpoint(row)),
  }),
  defineRoute({
    method: 'DELETE', path: '/v1/webhook_endpoints/:id', operationId: 'DeleteWebhookEndpointsWebhookEndpoint', summary: 'Delete a webhook endpoint (its deliveries not yet sent are canceled)',
    parameters: noParameters,
    response: { kind: 'object', type: 'webhook_endpoint' },
    handle: (context) => deleteWebhookEndpoint(context.work, context.deps, context.scope, context.pathParams.id),
    present: (row) => presentObject(renderWebhookEndpoint(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/webhook_endpoints', operationId: 'GetWebhookEndpoints', summary: 'List webhook endpoints',
    parameters: object(listParameters),
    response: { kind: 'list', type: 'webhook_endpoint' },
    handle: (context, params) => listWebhookEndpointPage(context.deps.db, context.scope, params),
    present: (page, context) => presentList(page, context.path, (row) => renderWebhookEndpoint(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/webhook_endpoints/:id/roll_secret', operationId: 'PostWebhookEndpointsWebhookEndpointRollSecret',
    summary: `Roll the signing secret (Payrail extension): answers the endpoint with its new secret; the old secret keeps signing beside it (two v1 signatures) for expires_in seconds (default ${previousSecretLifetimeDefaultSeconds}, 0 to stop at once, at most ${previousSecretLifetimeMaxSeconds})`,
    parameters: object({
      expires_in: integer({ minimum: 0, maximum: previousSecretLifetimeMaxSeconds, description: `Seconds the previous secret keeps signing (default ${previousSecretLifetimeDefaultSeconds}).` }),
    }),
    response: { kind: 'object', type: 'webhook_endpoint' },
    handle: (context, params) => rollWebhookSecret(context.work, context.deps, context.scope, context.pathParams.id, params.expires_in),
    present: (rolled) => presentObject(renderWebhookEndpoint(rolled.endpoint, rolled.secret)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/webhook_endpoints/:id/attempts', operationId: 'GetWebhookEndpointsWebhookEndpointAttempts',
    summary: 'List delivery attempts to a webhook endpoint, newest first (Payrail extension): time, status code, latency, first bytes of the response, error',
    parameters: object({ ...listParameters, event: string({ maxLength: 255, description: 'Only attempts to deliver this event.' }) }),
    response: { kind: 'list', type: 'webhook_attempt' },
    handle: (context, params) => listWebhookAttemptPage(context.deps.db, context.scope, context.pathParams.id, params, { event: params.event }),
    present: (page, context) => presentList(page, context.path, renderWebhookAttempt),
  }),
  defineRoute({
    method: 'POST', path: '/v1/events/:id/resend', operationId: 'PostEventsEventResend',
    summary: 'Re-send an event (Payrail extension): queues a new delivery to webhook_endpoint, or to every enabled endpoint subscribed to the event type',
    parameters: object({ webhook_endpoint: string({ maxLength: 255, description: 'Only this endpoint (enabled and subscribed to the event type).' }) }),
    response: { kind: 'list', type: 'webhook_delivery' },
    handle: (context, params) => resendEvent(context.work, context.deps, context.scope, context.pathParams.id, params),
    present: (deliveries, context) => presentList({ rows: deliveries, hasMore: false }, context.path, renderWebhookDelivery),
  }),
];
