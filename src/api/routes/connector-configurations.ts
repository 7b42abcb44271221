import { renderConnectorConfiguration } from '../../connectors/configurations/render.ts';
import {
  createConnectorConfiguration, deleteConnectorConfiguration, listConnectorConfigurationPage, modifyConnectorConfiguration,
  retrieveConnectorConfiguration,
} from '../../connectors/configurations/service.ts';
import { priorityMax, priorityMin } from '../../connectors/configurations/limits.ts';
import {
  baseUrlLengthMax, caCertificateLengthMax, connectorNames, credentialLengthMax, feeBounds, feeEntriesMax, merchantAccountLengthMax, paymentMethodTypes, type FeeTableInput,
} from '../../connectors/configurations/validation.ts';
import { ApiError } from '../../platform/errors.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { array, boolean, childParam, emptyable, enumeration, integer, metadata, object, required, string, type Schema } from '../schema.ts';
import { listParameters, noParameters } from './common.ts';

/**
 * Connector configurations: a Payrail extension under /v1/payrail/, since Stripe has no such resource. Which provider
 * connectors an account uses in each mode, with credentials (write-only: answers and events show them masked),
 * settings, what each accepts, its priority and its fees.
 */

/** Longest currency list: every ISO 4217 code once, with room to spare. */
const supportedCurrenciesMax = 200;
/** Longest country list: every ISO 3166-1 code once, with room to spare. */
const supportedCountriesMax = 300;

const credentialValue = string({ maxLength: credentialLengthMax });
const credentialsParameter = object({
  api_key: credentialValue,
  hmac_key: credentialValue,
  secret_key: credentialValue,
  webhook_secret: credentialValue,
  client_id: credentialValue,
  client_secret: credentialValue,
  webhook_id: credentialValue,
  access_token: credentialValue,
  key_id: credentialValue,
  key_secret: credentialValue,
}, { description: 'The connector\'s credentials (write-only; answers show them masked). adyen: api_key, hmac_key (hex); stripe: secret_key, webhook_secret (optional); paypal: client_id, client_secret, webhook_id; mollie: api_key (test_... or live_...); mercadopago: access_token (TEST-... or APP_USR-...), webhook_secret (the application\'s secret signature); razorpay: key_id (rzp_test_... or rzp_live_...), key_secret, webhook_secret (the dashboard webhook\'s secret); test_processor: none. On an update they replace the stored credentials entirely.' });

const settingsParameter = object({
  merchant_account: string({ maxLength: merchantAccountLengthMax, description: 'Adyen only: the merchant account payments are made for.' }),
  base_url: string({ maxLength: baseUrlLengthMax, description: 'The provider endpoint (https; plain http only for a loopback host in test mode). Defaults to the provider\'s test or live endpoint (required for live Adyen).' }),
  ca_certificate: string({ maxLength: caCertificateLengthMax, description: 'Mollie only, test mode only: one PEM certificate to trust besides the public roots (a sandbox\'s test certificate). Verification stays on.' }),
}, { description: 'Non-secret connection settings. On an update, the keys given replace the stored ones and the others are kept.' });

const feeEntry = object({
  percent_bps: integer({ minimum: 0, maximum: feeBounds.percentBasisPointsMax, description: 'Percentage of the amount, in basis points (290 = 2.9%).' }),
  fixed: integer({ minimum: 0, maximum: feeBounds.fixedMax, description: 'Fixed part in the currency\'s minor unit (0 for `*`).' }),
});

/** `fees[<currency or *>][percent_bps|fixed]`: a map whose keys are data, so it is not an `object` schema. */
function feeTable(): Schema<FeeTableInput | undefined> {
  return {
    description: 'Fees per currency (lower-case ISO code) or `*` for the others, for cost-based routing.',
    parse(value, param) {
      if (value === undefined) return undefined;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError('invalid_value', `Invalid ${param}: expected an object keyed by currency.`, { param });
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length > feeEntriesMax) throw new ApiError('invalid_value', `Invalid ${param}: at most ${feeEntriesMax} entries are allowed.`, { param });
      const table: FeeTableInput = {};
      for (const [key, entry] of entries) table[key] = feeEntry.parse(entry, childParam(param, key)) ?? {};
      return table;
    },
    toJsonSchema: () => ({ type: 'object', additionalProperties: feeEntry.toJsonSchema(), maxProperties: feeEntriesMax, description: 'Fees per currency (lower-case ISO code) or `*` for the others, for cost-based routing.' }),
  };
}

const commonParameters = {
  credentials: credentialsParameter,
  settings: settingsParameter,
  enabled: boolean({ description: 'Whether routing may use the configuration (default true).' }),
  supported_currencies: emptyable(array(string({ maxLength: 3 }), { maxItems: supportedCurrenciesMax, description: 'ISO 4217 codes the configuration takes; empty (or \'\') for any.' })),
  supported_countries: emptyable(array(string({ maxLength: 2 }), { maxItems: supportedCountriesMax, description: 'ISO 3166-1 alpha-2 codes the configuration takes; empty (or \'\') for any.' })),
  payment_method_types: array(enumeration(paymentMethodTypes), { maxItems: paymentMethodTypes.length * 2, description: 'card, paypal (paypal only for the paypal connector), or a local type (test_processor; ideal, bancontact, eps, p24 for mollie; pix, boleto for mercadopago; upi, card for razorpay: docs/payment-methods.md). Default: card, paypal for the paypal connector, every type it carries for mollie and mercadopago, upi for razorpay.' }),
  priority: integer({ minimum: priorityMin, maximum: priorityMax, description: 'Lower is tried first (default 0).' }),
  fees: emptyable(feeTable()),
  metadata: metadata(),
};

/** Routing in this process sees a change at once (other processes within the routing cache's few seconds). */
function forgetRouting<T>(context: { deps: { routing: { forget(scope: { accountId: string; livemode: boolean }): void } }; scope: { accountId: string; livemode: boolean } }, result: T): T {
  context.deps.routing.forget(context.scope);
  return result;
}

export const connectorConfigurationRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/payrail/connector_configurations', operationId: 'PostPayrailConnectorConfigurations',
    summary: 'Create a connector configuration (Payrail extension): a provider connector for this account and mode, with its credentials (stored encrypted, shown masked)',
    parameters: object({ connector: required(enumeration(connectorNames)), ...commonParameters }, { required: ['connector'] }),
    response: { kind: 'object', type: 'payrail_connector_configuration' },
    handle: async (context, params) => forgetRouting(context, await createConnectorConfiguration(context.work, context.deps, context.scope, params)),
    present: (row) => presentObject(renderConnectorConfiguration(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/payrail/connector_configurations/:id', operationId: 'GetPayrailConnectorConfigurationsConfiguration', summary: 'Retrieve a connector configuration (Payrail extension)',
    parameters: noParameters,
    response: { kind: 'object', type: 'payrail_connector_configuration' },
    handle: (context) => retrieveConnectorConfiguration(context.deps.db, context.scope, context.pathParams.id),
    present: (row) => presentObject(renderConnectorConfiguration(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/payrail/connector_configurations/:id', operationId: 'PostPayrailConnectorConfigurationsConfiguration',
    summary: 'Update a connector configuration (Payrail extension): any field but the connector; credentials given replace the stored ones entirely',
    parameters: object(commonParameters),
    response: { kind: 'object', type: 'payrail_connector_configuration' },
    handle: async (context, params) => forgetRouting(context, await modifyConnectorConfiguration(context.work, context.deps, context.scope, context.pathParams.id, params)),
    present: (row) => presentObject(renderConnectorConfiguration(row)),
  }),
  defineRoute({
    method: 'DELETE', path: '/v1/payrail/connector_configurations/:id', operationId: 'DeletePayrailConnectorConfigurationsConfiguration',
    summary: 'Delete a connector configuration (Payrail extension): routing stops using it',
    parameters: noParameters,
    response: { kind: 'object', type: 'payrail_connector_configuration' },
    handle: async (context) => forgetRouting(context, await deleteConnectorConfiguration(context.work, context.deps, context.scope, context.pathParams.id)),
    present: (row) => presentObject(renderConnectorConfiguration(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/payrail/connector_configurations', operationId: 'GetPayrailConnectorConfigurations', summary: 'List connector configurations, newest first (Payrail extension)',
    parameters: object({
      ...listParameters,
      connector: enumeration(connectorNames, { description: 'Only configurations of this connector.' }),
      enabled: boolean({ description: 'Only enabled (true) or disabled (false) configurations.' }),
    }),
    response: { kind: 'list', type: 'payrail_connector_configuration' },
    handle: (context, params) => listConnectorConfigurationPage(context.deps.db, context.scope, params, { connector: params.connector, enabled: params.enabled }),
    present: (page, context) => presentList(page, context.path, renderConnectorConfiguration),
  }),
];
