import { errorCatalogue } from '../platform/errors.ts';
import type { RouteDefinition } from './route.ts';
import type { JsonSchema } from './schema.ts';

const objectSchemas: Record<string, JsonSchema> = {
  customer: objectSchema('customer', ['address', 'created', 'default_source', 'description', 'email', 'invoice_settings', 'livemode', 'metadata', 'name', 'phone', 'shipping']),
  payment_method: objectSchema('payment_method', ['billing_details', 'card', 'created', 'customer', 'livemode', 'metadata', 'paypal', 'type']),
  payment_intent: objectSchema('payment_intent', [
    'amount', 'amount_capturable', 'amount_received', 'canceled_at', 'cancellation_reason', 'capture_method', 'client_secret',
    'confirmation_method', 'created', 'currency', 'customer', 'description', 'last_payment_error', 'latest_charge', 'livemode',
    'metadata', 'next_action', 'payment_method', 'payment_method_types', 'receipt_email', 'setup_future_usage', 'status',
    'automatic_payment_methods', 'payment_method_options', 'shipping',
  ]),
  charge: objectSchema('charge', [
    'amount', 'amount_captured', 'amount_refunded', 'billing_details', 'captured', 'created', 'currency', 'customer', 'failure_code',
    'failure_message', 'livemode', 'metadata', 'outcome', 'paid', 'payment_intent', 'balance_transaction', 'payment_method', 'payment_method_details', 'refunded', 'status', 'payrail_routing',
    'source', 'shipping', 'fraud_details', 'statement_descriptor', 'transfer_group',
  ]),
  token: objectSchema('token', ['card', 'client_ip', 'created', 'livemode', 'type', 'used']),
  card: objectSchema('card', [
    'address_city', 'address_country', 'address_line1', 'address_line1_check', 'address_line2', 'address_state', 'address_zip', 'address_zip_check',
    'brand', 'country', 'customer', 'cvc_check', 'dynamic_last4', 'exp_month', 'exp_year', 'fingerprint', 'funding', 'last4', 'metadata', 'name', 'tokenization_method',
  ]),
  refund: objectSchema('refund', ['amount', 'balance_transaction', 'charge', 'created', 'currency', 'failure_balance_transaction', 'failure_reason', 'metadata', 'payment_intent', 'reason', 'status']),
  event: objectSchema('event', ['api_version', 'created', 'data', 'livemode', 'pending_webhooks', 'request', 'type']),
  payout: objectSchema('payout', [
    'amount', 'arrival_date', 'automatic', 'balance_transaction', 'created', 'currency', 'description', 'destination', 'failure_balance_transaction',
    'failure_code', 'failure_message', 'livemode', 'metadata', 'method', 'original_payout', 'reconciliation_status', 'reversed_by', 'source_type', 'statement_descriptor', 'status', 'type',
  ]),
  bank_account: objectSchema('bank_account', [
    'account', 'account_holder_name', 'account_holder_type', 'bank_name', 'country', 'currency', 'default_for_currency', 'fingerprint', 'last4',
    'metadata', 'routing_number', 'status',
  ]),
  balance_transaction: objectSchema('balance_transaction', [
    'amount', 'available_on', 'created', 'currency', 'description', 'exchange_rate', 'fee', 'fee_details', 'net', 'reporting_category', 'source', 'status', 'type',
  ]),
  account: objectSchema('account', [
    'business_profile', 'charges_enabled', 'country', 'created', 'default_currency', 'details_submitted', 'payouts_enabled', 'settings', 'type', 'payrail_settings',
  ]),
  webhook_endpoint: objectSchema('webhook_endpoint', [
    'api_version', 'application', 'created', 'description', 'enabled_events', 'livemode', 'metadata', 'secret', 'status', 'url',
    'payrail_disabled_reason', 'payrail_previous_secret_expires_at',
  ]),
  // Payrail extensions: one HTTP try of a webhook delivery, and a queued delivery (answer of an event re-send).
  webhook_attempt: objectSchema('webhook_attempt', [
    'attempted_at', 'attempted_at_ms', 'delivery', 'endpoint', 'event', 'status_code', 'succeeded', 'latency_ms', 'response_excerpt', 'error', 'livemode',
  ]),
  webhook_delivery: objectSchema('webhook_delivery', ['endpoint', 'event', 'status', 'livemode']),
  // Payrail extension: a provider connector's configuration for the account and mode (credentials shown masked only).
  payrail_connector_configuration: objectSchema('payrail.connector_configuration', [
    'connector', 'created', 'credentials', 'credentials_updated', 'enabled', 'fees', 'livemode', 'metadata', 'payment_method_types', 'priority',
    'settings', 'supported_countries', 'supported_currencies', 'updated',
  ]),
  // Payrail extension: an API key of the account and mode; `secret` is set only in the answer that made the key.
  payrail_api_key: objectSchema('payrail.api_key', ['created', 'expires_at', 'livemode', 'name', 'permissions', 'redacted', 'revoked_at', 'rolled_to', 'secret', 'type']),
  // Payrail extension: how the account routes payments in the mode. One per account and mode, so no id (like the balance).
  payrail_routing_profile: {
    type: 'object',
    required: ['object', 'strategy', 'exploration_bps', 'rules', 'failover', 'livemode'],
    properties: {
      object: { type: 'string', enum: ['payrail.routing_profile'] },
      strategy: { type: 'string', enum: ['priority', 'success_rate', 'lowest_cost'] },
      exploration_bps: { type: 'integer', description: 'success_rate only: share of payments sent to a connector other than the best (basis points).' },
      rules: { type: 'array', description: 'Ordered rules: id, conditions (null when unset), action (prefer with configurations, or split with configuration/weight pairs), fallback.' },
      failover: { type: 'object', description: 'enabled, time_budget_ms, max_attempts, retry_do_not_honor, retry_insufficient_funds.' },
      livemode: { type: 'boolean' },
      created: { type: ['integer', 'null'], description: 'Null while the account uses the defaults.' },
      updated: { type: ['integer', 'null'] },
    },
    additionalProperties: true,
  },
  // The balance has no id. Its Payrail extensions are described here so the document says what they are.
  balance: {
    type: 'object',
    required: ['object'],
    properties: {
      object: { type: 'string', enum: ['balance'] },
      available: { type: 'array', description: 'Funds available for payouts, per currency (negative after refunds larger than the balance).' },
      pending: { type: 'array', description: 'Captured funds not yet available, per currency.' },
      livemode: { type: 'boolean' },
      payrail_authorized: { type: 'array', description: 'Payrail extension: authorization holds not yet captured, per currency.' },
      payrail_in_transit: { type: 'array', description: 'Payrail extension: payouts sent to the bank and not yet paid, per currency.' },
    },
    additionalProperties: true,
  },
};

function objectSchema(name: string, fields: string[]): JsonSchema {
  const properties: Record<string, JsonSchema> = { id: { type: 'string' }, object: { type: 'string', enum: [name] } };
  for (const field of fields) properties[field] = {};
  return { type: 'object', required: ['id', 'object'], properties, additionalProperties: true };
}

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['type', 'message'],
      properties: {
        type: { type: 'string', enum: [...new Set(Object.values(errorCatalogue).map((entry) => entry.type))] },
        code: { type: 'string', enum: Object.keys(errorCatalogue) },
        decline_code: { type: 'string' },
        message: { type: 'string' },
        param: { type: 'string' },
        payment_intent: { $ref: '#/components/schemas/payment_intent' },
      },
    },
  },
};

function toOpenApiPath(path: string): { path: string; names: string[] } {
  const names: string[] = [];
  const converted = path.replace(/:([a-z_]+)/g, (_, name: string) => {
    names.push(name);
    return `{${name}}`;
  });
  return { path: converted, names };
}

/** The OpenAPI 3.1 document, built from the same route list and parameter schemas that validate requests. */
export function buildOpenApi(routes: RouteDefinition[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const { path, names } = toOpenApiPath(route.path);
    const parameterSchema = route.parameters.toJsonSchema() as { properties: Record<string, JsonSchema>; required?: string[] };
    parameterSchema.properties = { ...parameterSchema.properties, expand: { type: 'array', items: { type: 'string' }, description: 'Fields to expand.' } };
    const responseRef = route.response.kind === 'none' ? {} : { $ref: `#/components/schemas/${route.response.type}` };
    const success = route.response.kind === 'list'
      ? { type: 'object', required: ['object', 'data', 'has_more', 'url'], properties: { object: { type: 'string', enum: ['list'] }, data: { type: 'array', items: responseRef }, has_more: { type: 'boolean' }, url: { type: 'string' } } }
      : route.response.kind === 'search'
        ? {
            type: 'object', required: ['object', 'data', 'has_more', 'next_page', 'url'],
            properties: {
              object: { type: 'string', enum: ['search_result'] }, data: { type: 'array', items: responseRef }, has_more: { type: 'boolean' },
              next_page: { type: ['string', 'null'], description: 'Cursor for the `page` parameter of the next request; null on the last page.' },
              url: { type: 'string' },
              total_count: { type: 'integer', description: 'Present only when expanded (`expand[]=total_count`); counted up to 10,000.' },
            },
          }
        : responseRef;
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      security: [{ bearerAuth: [] }, { basicAuth: [] }],
      parameters: [
        ...names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', maxLength: 255 } })),
        ...(route.method === 'POST'
          ? []
          : Object.entries(parameterSchema.properties).map(([name, schema]) => ({
              name, in: 'query', required: parameterSchema.required?.includes(name) ?? false, style: 'deepObject', explode: true, schema,
            }))),
        ...(route.method === 'POST' ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }] : []),
      ],
      responses: {
        200: { description: 'Successful response.', content: { 'application/json': { schema: success } } },
        default: { description: 'Error response.', content: { 'application/json': { schema: { $ref: '#/components/schemas/error' } } } },
      },
    };
    if (route.method === 'POST') {
      operation.requestBody = {
        required: false,
        content: {
          'application/x-www-form-urlencoded': { schema: parameterSchema, encoding: {} },
          'application/json': { schema: parameterSchema },
        },
      };
    }
    if (route.publishable) operation['x-publishable-key-allowed'] = true;
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation;
  }
  paths['/v1/openapi.json'] = { get: { operationId: 'GetOpenApi', summary: 'This document', security: [], responses: { 200: { description: 'The OpenAPI document.' } } } };
  paths['/3ds/{id}'] = {
    get: { operationId: 'GetAuthenticationPage', summary: '3-D Secure test challenge page (HTML)', security: [], parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'HTML page.', content: { 'text/html': {} } } } },
    post: {
      operationId: 'PostAuthenticationPage', summary: 'Complete or fail a 3-D Secure test challenge', security: [],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['action', 'csrf_token'], properties: { action: { type: 'string', enum: ['complete', 'fail'] }, csrf_token: { type: 'string', description: "The hidden field of the page's form, bound to the challenge." } } } } } },
      responses: { 303: { description: 'Redirect to the return_url.' }, 200: { description: 'HTML page when there is no return_url.' }, 400: { description: 'HTML page: no valid action.' }, 403: { description: 'HTML page: the form token is missing or wrong (a cross-site post).' } },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'Payrail API', version: '0.1.0', description: 'Stripe-compatible payments API. Amounts are integers in the currency minor unit.' },
    servers: [{ url: 'http://localhost:4242' }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' }, basicAuth: { type: 'http', scheme: 'basic' } },
      schemas: { ...objectSchemas, error: errorSchema },
    },
    paths,
  };
}
