import type { ConnectorConfigurationRow } from './repository.ts';
import type { Credentials } from './validation.ts';

/** The object name of a configuration: a Payrail extension, so it is namespaced as Stripe namespaces its own (`test_helpers.`...). */
export const connectorConfigurationObject = 'payrail.connector_configuration';

/** What stands for the hidden part of a credential. */
const maskPrefix = '••••';
/** Characters of a credential shown at the end, so a merchant can tell which key is configured. */
const revealedCharacters = 4;
/** Shorter credentials show nothing: four characters of a short secret would give away too much of it. */
const revealMinimumLength = 16;

/** Masks one credential: `••••` followed by its last four characters, or by nothing when the value is short. */
export function maskCredential(value: string): string {
  return value.length >= revealMinimumLength ? `${maskPrefix}${value.slice(-revealedCharacters)}` : maskPrefix;
}

/** The same keys as the credentials, with masked values: the only form credentials take outside their ciphertext. */
export function maskCredentials(credentials: Credentials): Credentials {
  const masked: Credentials = {};
  for (const [key, value] of Object.entries(credentials) as [keyof Credentials, string][]) masked[key] = maskCredential(value);
  return masked;
}

/**
 * The `payrail.connector_configuration` object. Credentials appear only masked (as stored in `credentials_masked`);
 * the ciphertext is never read here.
 */
export function renderConnectorConfiguration(row: ConnectorConfigurationRow): Record<string, unknown> {
  if (row.deleted) return { id: row.id, object: connectorConfigurationObject, deleted: true };
  return {
    id: row.id,
    object: connectorConfigurationObject,
    connector: row.connector,
    created: row.created,
    credentials: row.credentials_masked,
    credentials_updated: row.credentials_updated,
    enabled: row.enabled,
    fees: row.fees,
    livemode: row.livemode,
    metadata: row.metadata,
    payment_method_types: row.payment_method_types,
    priority: row.priority,
    settings: row.settings,
    supported_countries: row.supported_countries,
    supported_currencies: row.supported_currencies,
    updated: row.updated,
  };
}
