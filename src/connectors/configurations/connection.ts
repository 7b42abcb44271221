// How a stored configuration becomes a connector's connection: pure functions over a row and its decrypted
// credentials. Kept apart from the configuration service so the connector registry (src/orchestration/registry.ts),
// which Dependencies builds, can use them without importing the service and what the service imports.
import type { AdyenConnectorConfig } from '../adyen/connector.ts';
import type { MercadoPagoConnectorConfig } from '../mercadopago/connector.ts';
import type { MollieConnectorConfig } from '../mollie/connector.ts';
import type { PayPalConnectorConfig } from '../paypal/connector.ts';
import type { RazorpayConnectorConfig } from '../razorpay/connector.ts';
import type { StripeConnectorConfig } from '../stripe/connector.ts';
import type { ConnectorConfigurationRow } from './repository.ts';
import type { Credentials } from './validation.ts';

/** The associated data of a configuration's credentials ciphertext: a ciphertext moved to another row does not decrypt. */
export function credentialsAssociatedData(id: string): string {
  return `connector_configuration:${id}`;
}

/** The connection part of a configuration, typed per connector, as the connectors' own config types name it. */
export type ConnectorConnection =
  | { connector: 'adyen'; config: Pick<AdyenConnectorConfig, 'baseUrl' | 'apiKey' | 'merchantAccount' | 'hmacKeyHex'> }
  | { connector: 'stripe'; config: Pick<StripeConnectorConfig, 'baseUrl' | 'apiKey' | 'webhookSecrets'> }
  | { connector: 'paypal'; config: Pick<PayPalConnectorConfig, 'baseUrl' | 'clientId' | 'clientSecret' | 'webhookId'> }
  | { connector: 'mollie'; config: Pick<MollieConnectorConfig, 'baseUrl' | 'apiKey' | 'caCertificate'> }
  | { connector: 'mercadopago'; config: Pick<MercadoPagoConnectorConfig, 'baseUrl' | 'accessToken' | 'webhookSecret'> }
  | { connector: 'razorpay'; config: Pick<RazorpayConnectorConfig, 'baseUrl' | 'keyId' | 'keySecret' | 'webhookSecret'> }
  | { connector: 'test_processor'; config: Record<string, never> };

function required(value: string | undefined, what: string): string {
  // Validation stores every required credential and setting, so a gap is a broken invariant, not bad input.
  if (value === undefined) throw new Error(`invariant violated: connector configuration without ${what}`);
  return value;
}

export function connectionOf(row: ConnectorConfigurationRow, credentials: Credentials): ConnectorConnection {
  switch (row.connector) {
    case 'adyen':
      return {
        connector: 'adyen',
        config: { baseUrl: required(row.settings.base_url, 'base_url'), apiKey: required(credentials.api_key, 'api_key'), merchantAccount: required(row.settings.merchant_account, 'merchant_account'), hmacKeyHex: required(credentials.hmac_key, 'hmac_key') },
      };
    case 'stripe':
      return {
        connector: 'stripe',
        config: { baseUrl: required(row.settings.base_url, 'base_url'), apiKey: required(credentials.secret_key, 'secret_key'), webhookSecrets: credentials.webhook_secret === undefined ? [] : [credentials.webhook_secret] },
      };
    case 'paypal':
      return {
        connector: 'paypal',
        config: { baseUrl: required(row.settings.base_url, 'base_url'), clientId: required(credentials.client_id, 'client_id'), clientSecret: required(credentials.client_secret, 'client_secret'), webhookId: required(credentials.webhook_id, 'webhook_id') },
      };
    case 'mollie':
      return {
        connector: 'mollie',
        config: { baseUrl: required(row.settings.base_url, 'base_url'), apiKey: required(credentials.api_key, 'api_key'), ...(row.settings.ca_certificate !== undefined ? { caCertificate: row.settings.ca_certificate } : {}) },
      };
    case 'mercadopago':
      return {
        connector: 'mercadopago',
        config: { baseUrl: required(row.settings.base_url, 'base_url'), accessToken: required(credentials.access_token, 'access_token'), webhookSecret: required(credentials.webhook_secret, 'webhook_secret') },
      };
    case 'razorpay':
      return {
        connector: 'razorpay',
        config: { baseUrl: required(row.settings.base_url, 'base_url'), keyId: required(credentials.key_id, 'key_id'), keySecret: required(credentials.key_secret, 'key_secret'), webhookSecret: required(credentials.webhook_secret, 'webhook_secret') },
      };
    case 'test_processor':
      return { connector: 'test_processor', config: {} };
    default: {
      const unknown: never = row.connector;
      throw new Error(`invariant violated: unknown connector ${String(unknown)}`);
    }
  }
}
