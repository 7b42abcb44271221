import { changedAttributes, recordEvent } from '../../events/service.ts';
import type { Scope } from '../../platform/scope.ts';
import type { Clock } from '../../platform/clock.ts';
import type { SecretBox } from '../../platform/crypto.ts';
import type { Queryable } from '../../platform/db.ts';
import { ApiError, missing } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../../platform/metadata.ts';
import type { Page, PageRequest } from '../../platform/pagination.ts';
import type { UnitOfWork } from '../../platform/unit-of-work.ts';
import { connectionOf, credentialsAssociatedData, type ConnectorConnection } from './connection.ts';
import { connectorConfigurationsPerAccountMax, priorityDefault } from './limits.ts';
import { maskCredentials, renderConnectorConfiguration } from './render.ts';
import {
  countConnectorConfigurations, findConnectorConfiguration, findEnabledConnectorConfigurations, insertConnectorConfiguration, listConnectorConfigurations,
  lockConfigurationCreation, markConnectorConfigurationDeleted, updateConnectorConfiguration, type ConnectorConfigurationChanges, type ConnectorConfigurationRow,
} from './repository.ts';
import {
  defaultPaymentMethodTypes, validateCountries, validateCredentials, validateCurrencies, validateFees, validatePaymentMethodTypes, validateSettings,
  type ConnectorName, type Credentials, type CredentialsInput, type FeeTable, type FeeTableInput, type PaymentMethodType, type SettingsInput,
} from './validation.ts';

export const connectorConfigurationEventTypes = {
  created: 'payrail.connector_configuration.created',
  updated: 'payrail.connector_configuration.updated',
  deleted: 'payrail.connector_configuration.deleted',
} as const;

/** What configuration changes need (declared here, not taken from Dependencies, which builds the registry that uses this folder). */
export interface ConnectorConfigurationDependencies {
  secretBox: SecretBox;
  clock: Clock;
}

export interface ConnectorConfigurationInput {
  connector: ConnectorName;
  credentials?: CredentialsInput;
  settings?: SettingsInput;
  enabled?: boolean;
  /** Empty or null: any currency. */
  supported_currencies?: string[] | null;
  /** Empty or null: any country. */
  supported_countries?: string[] | null;
  payment_method_types?: PaymentMethodType[];
  priority?: number;
  fees?: FeeTableInput | null;
  metadata?: MetadataUpdate;
}

/** An update: any field but the connector. Given credentials replace the stored ones entirely; given settings are laid over them. */
export type ConnectorConfigurationUpdate = Omit<ConnectorConfigurationInput, 'connector'>;

function sealCredentials(deps: ConnectorConfigurationDependencies, id: string, credentials: Credentials): Pick<ConnectorConfigurationRow, 'credentials_encrypted' | 'credentials_masked'> {
  return { credentials_encrypted: deps.secretBox.encrypt(JSON.stringify(credentials), credentialsAssociatedData(id)), credentials_masked: maskCredentials(credentials) };
}

/**
 * Creates a configuration. Everything is checked before the transaction; the credentials are encrypted bound to the
 * new id, and the event carries them masked.
 */
export async function createConnectorConfiguration(work: UnitOfWork, deps: ConnectorConfigurationDependencies, scope: Scope, input: ConnectorConfigurationInput): Promise<ConnectorConfigurationRow> {
  if (input.connector === 'test_processor' && scope.livemode) {
    throw new ApiError('invalid_value', 'Invalid connector: test_processor only processes test-mode payments; a live-mode configuration needs adyen, stripe, paypal, mollie or mercadopago.', { param: 'connector' });
  }
  const credentials = validateCredentials(input.connector, input.credentials, scope.livemode);
  const settings = validateSettings(input.connector, input.settings ?? {}, scope.livemode);
  const paymentMethodTypes = validatePaymentMethodTypes(input.connector, input.payment_method_types ?? defaultPaymentMethodTypes(input.connector));
  const supportedCurrencies = validateCurrencies(input.supported_currencies ?? []);
  const supportedCountries = validateCountries(input.supported_countries ?? []);
  const fees = validateFees(input.fees ?? {});
  const id = newId('pcc');
  const now = deps.clock.nowSeconds();
  return work.finalTransaction(async (client) => {
    await lockConfigurationCreation(client, scope);
    if ((await countConnectorConfigurations(client, scope)) >= connectorConfigurationsPerAccountMax) {
      throw new ApiError('connector_configuration_limit_reached', `You have reached the maximum of ${connectorConfigurationsPerAccountMax} ${scope.livemode ? 'live' : 'test'} connector configurations. Delete one before creating another.`);
    }
    const row = await insertConnectorConfiguration(client, {
      id,
      account_id: scope.accountId,
      livemode: scope.livemode,
      connector: input.connector,
      ...sealCredentials(deps, id, credentials),
      credentials_updated: now,
      settings,
      enabled: input.enabled ?? true,
      supported_currencies: supportedCurrencies,
      supported_countries: supportedCountries,
      payment_method_types: paymentMethodTypes,
      priority: input.priority ?? priorityDefault,
      fees,
      metadata: mergeMetadata({}, input.metadata),
      created: now,
      updated: now,
    });
    await recordEvent(client, scope, work, connectorConfigurationEventTypes.created, renderConnectorConfiguration(row));
    return row;
  });
}

export async function retrieveConnectorConfiguration(db: Queryable, scope: Scope, id: string): Promise<ConnectorConfigurationRow> {
  const row = await findConnectorConfiguration(db, scope, id);
  if (!row) throw missing('connector configuration', id);
  return row;
}

/**
 * Updates a configuration. The result is checked as a whole against the connector's rules (settings given are laid
 * over the stored ones). An update that changes nothing writes nothing and records no event; replacing the
 * credentials always counts as a change, even when their masks look the same.
 */
export async function modifyConnectorConfiguration(work: UnitOfWork, deps: ConnectorConfigurationDependencies, scope: Scope, id: string, input: ConnectorConfigurationUpdate): Promise<ConnectorConfigurationRow> {
  return work.finalTransaction(async (client) => {
    const current = await findConnectorConfiguration(client, scope, id, { forUpdate: true });
    if (!current) throw missing('connector configuration', id);
    const connector = current.connector;
    const now = deps.clock.nowSeconds();
    const sealed = input.credentials === undefined ? undefined : sealCredentials(deps, id, validateCredentials(connector, input.credentials, scope.livemode));
    const changes: ConnectorConfigurationChanges = {
      credentials_encrypted: sealed?.credentials_encrypted ?? current.credentials_encrypted,
      credentials_masked: sealed?.credentials_masked ?? current.credentials_masked,
      credentials_updated: sealed ? now : current.credentials_updated,
      settings: input.settings === undefined ? current.settings : validateSettings(connector, layOver(current.settings, input.settings), scope.livemode),
      enabled: input.enabled ?? current.enabled,
      supported_currencies: input.supported_currencies === undefined ? current.supported_currencies : validateCurrencies(input.supported_currencies ?? []),
      supported_countries: input.supported_countries === undefined ? current.supported_countries : validateCountries(input.supported_countries ?? []),
      payment_method_types: input.payment_method_types === undefined ? current.payment_method_types : validatePaymentMethodTypes(connector, input.payment_method_types),
      priority: input.priority ?? current.priority,
      fees: input.fees === undefined ? current.fees : validateFees(input.fees ?? {}),
      metadata: mergeMetadata(current.metadata, input.metadata),
      updated: current.updated,
    };
    const before = renderConnectorConfiguration(current);
    const previous = changedAttributes(before, renderConnectorConfiguration({ ...current, ...changes }));
    if (Object.keys(previous).length === 0 && !sealed) return current;
    if (sealed) previous.credentials = before.credentials;
    changes.updated = now;
    const updated = await updateConnectorConfiguration(client, current, changes);
    if (updated.updated !== current.updated) previous.updated = current.updated;
    await recordEvent(client, scope, work, connectorConfigurationEventTypes.updated, renderConnectorConfiguration(updated), previous);
    return updated;
  });
}

/** The stored settings with the given ones laid over them (absent keys keep their stored value). */
function layOver(stored: SettingsInput, given: SettingsInput): SettingsInput {
  const result: SettingsInput = { ...stored };
  for (const [key, value] of Object.entries(given) as [keyof SettingsInput, string | undefined][]) if (value !== undefined) result[key] = value;
  return result;
}

/** Deletes a configuration: it disappears from the API and from routing; the row stays for the attempts that name it. */
export async function deleteConnectorConfiguration(work: UnitOfWork, deps: ConnectorConfigurationDependencies, scope: Scope, id: string): Promise<ConnectorConfigurationRow> {
  return work.finalTransaction(async (client) => {
    const current = await findConnectorConfiguration(client, scope, id, { forUpdate: true });
    if (!current) throw missing('connector configuration', id);
    await markConnectorConfigurationDeleted(client, current, deps.clock.nowSeconds());
    await recordEvent(client, scope, work, connectorConfigurationEventTypes.deleted, renderConnectorConfiguration(current));
    return { ...current, deleted: true };
  });
}

export function listConnectorConfigurationPage(db: Queryable, scope: Scope, page: PageRequest, filters: { connector?: ConnectorName; enabled?: boolean }): Promise<Page<ConnectorConfigurationRow>> {
  return listConnectorConfigurations(db, scope, page, filters);
}

/** An enabled configuration with its credentials decrypted: for routing, in memory only, never rendered or logged. */
export interface EnabledConnectorConfiguration {
  id: string;
  connection: ConnectorConnection;
  priority: number;
  /** Empty: any currency. */
  supportedCurrencies: string[];
  /** Empty: any country. */
  supportedCountries: string[];
  paymentMethodTypes: PaymentMethodType[];
  fees: FeeTable;
  metadata: Record<string, string>;
}

/**
 * The caller's enabled configurations in routing order (lowest priority first, then oldest), with their credentials
 * decrypted and typed per connector. Payments do not use this list: the routing cache reads the rows and the
 * connector registry decrypts each with `connectionOf` when it builds its connector (src/orchestration/). This form
 * is for inspecting what configurations decrypt to (the configuration tests use it).
 */
export async function enabledConfigurations(db: Queryable, deps: Pick<ConnectorConfigurationDependencies, 'secretBox'>, scope: Scope): Promise<EnabledConnectorConfiguration[]> {
  const rows = await findEnabledConnectorConfigurations(db, scope);
  return rows.map((row) => ({
    id: row.id,
    connection: connectionOf(row, JSON.parse(deps.secretBox.decrypt(row.credentials_encrypted, credentialsAssociatedData(row.id))) as Credentials),
    priority: row.priority,
    supportedCurrencies: row.supported_currencies,
    supportedCountries: row.supported_countries,
    paymentMethodTypes: row.payment_method_types,
    fees: row.fees,
    metadata: row.metadata,
  }));
}
