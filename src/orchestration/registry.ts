import { AdyenConnector } from '../connectors/adyen/connector.ts';
import type { Connector } from '../connectors/connector.ts';
import { connectionOf, credentialsAssociatedData } from '../connectors/configurations/connection.ts';
import type { ConnectorConfigurationRow } from '../connectors/configurations/repository.ts';
import type { Credentials } from '../connectors/configurations/validation.ts';
import { MercadoPagoConnector } from '../connectors/mercadopago/connector.ts';
import { MollieConnector } from '../connectors/mollie/connector.ts';
import { PayPalConnector } from '../connectors/paypal/connector.ts';
import { RazorpayConnector } from '../connectors/razorpay/connector.ts';
import { StripeConnector } from '../connectors/stripe/connector.ts';
import type { SecretBox } from '../platform/crypto.ts';
import type { OrchestrationSettings } from './settings.ts';

/** Where a provider sends the customer back after a redirect (3-D Secure, wallet approval): Payrail's return page. */
export function attemptReturnUrl(publicUrl: string, attemptId: string): string {
  return `${publicUrl}/payrail/return/${encodeURIComponent(attemptId)}`;
}

/** Where PayPal sends a buyer who cancels on its page; PayPal adds the order id as `token`. */
export function configurationCancelUrl(publicUrl: string, configurationId: string): string {
  return `${publicUrl}/payrail/cancel/${encodeURIComponent(configurationId)}`;
}

/** Payrail's provider webhook route of a configuration (src/api/routes/provider-webhooks.ts). */
export function configurationWebhookUrl(publicUrl: string, configurationId: string): string {
  return `${publicUrl}/payrail/webhooks/${encodeURIComponent(configurationId)}`;
}

/** Where Payrail serves the QR image of an attempt's Pix (src/api/routes/pix-qr-images.ts). */
export function pixQrImageUrl(publicUrl: string, attemptId: string, format: 'png' | 'svg'): string {
  return `${publicUrl}/payrail/pix/${encodeURIComponent(attemptId)}/qr.${format}`;
}

/**
 * What a configuration's connector is built from: its credentials (a fresh ciphertext each time they are replaced)
 * and settings. Not the `updated` times: they count whole seconds, so a change made within the second of the one
 * before would keep the old connector (an added webhook secret ignored) until the next change.
 */
function connectionVersion(row: ConnectorConfigurationRow): string {
  return `${row.credentials_encrypted.toString('base64')}:${JSON.stringify(row.settings)}`;
}

/** Connector instances held at once; a configuration used again after eviction is simply built again. */
export const connectorInstancesMax = 10_000;

/**
 * Builds the connector of a configuration, with its credentials decrypted in memory only, and keeps it while the
 * configuration is unchanged (a PayPal connector holds an OAuth token worth reusing). The built-in test processor
 * (accounts without configurations) is `builtIn`.
 */
export class ConnectorRegistry {
  readonly builtIn: Connector;
  readonly #secretBox: SecretBox;
  readonly #publicUrl: () => string;
  readonly #settings: OrchestrationSettings;
  readonly #instances = new Map<string, { version: string; connector: Connector }>();

  constructor(input: { builtIn: Connector; secretBox: SecretBox; publicUrl: () => string; settings: OrchestrationSettings }) {
    this.builtIn = input.builtIn;
    this.#secretBox = input.secretBox;
    this.#publicUrl = input.publicUrl;
    this.#settings = input.settings;
  }

  /** The connector of a configuration row (null: the built-in test processor). */
  forConfiguration(row: ConnectorConfigurationRow | null): Connector {
    if (row === null) return this.builtIn;
    const version = connectionVersion(row);
    const cached = this.#instances.get(row.id);
    if (cached && cached.version === version) return cached.connector;
    const connector = this.#build(row);
    if (this.#instances.size >= connectorInstancesMax) this.#instances.delete(this.#instances.keys().next().value as string);
    this.#instances.set(row.id, { version, connector });
    return connector;
  }

  #build(row: ConnectorConfigurationRow): Connector {
    const credentials = JSON.parse(this.#secretBox.decrypt(row.credentials_encrypted, credentialsAssociatedData(row.id))) as Credentials;
    const connection = connectionOf(row, credentials);
    const timeoutMs = this.#settings.connectorTimeoutMs;
    // Every payment passes its own return URL; this fallback is only for a call without one.
    const returnUrl = `${this.#publicUrl()}/payrail/return`;
    switch (connection.connector) {
      case 'adyen':
        return new AdyenConnector({ ...connection.config, timeoutMs, returnUrl });
      case 'stripe':
        return new StripeConnector({ ...connection.config, timeoutMs, returnUrl });
      case 'paypal':
        return new PayPalConnector({ ...connection.config, timeoutMs, returnUrl, cancelUrl: configurationCancelUrl(this.#publicUrl(), row.id) });
      case 'mollie':
        // Mollie calls each payment's webhookUrl with its id: this configuration's provider webhook route.
        return new MollieConnector({ ...connection.config, timeoutMs, returnUrl, webhookUrl: configurationWebhookUrl(this.#publicUrl(), row.id) });
      case 'mercadopago':
        // Each payment's notification_url is this configuration's provider webhook route.
        return new MercadoPagoConnector({
          ...connection.config, timeoutMs, notificationUrl: configurationWebhookUrl(this.#publicUrl(), row.id),
          pixQrImageUrl: (attemptId, format) => pixQrImageUrl(this.#publicUrl(), attemptId, format),
        });
      case 'razorpay':
        return new RazorpayConnector({ ...connection.config, timeoutMs, returnUrl, publicUrl: this.#publicUrl() });
      case 'test_processor':
        return this.builtIn;
    }
  }
}
