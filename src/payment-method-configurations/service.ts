import type { Dependencies } from '../dependencies.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { availableTypes } from './available-types.ts';
import { configurableTypes, withPreferences, type DisplayPreference } from './preferences.ts';
import {
  ensureDefaultConfiguration, findConfiguration, insertConfiguration, listConfigurations, updateConfiguration, type PaymentMethodConfigurationRow,
} from './repository.ts';

export type ConfigurationDependencies = Pick<Dependencies, 'db' | 'routing' | 'paymentMethodConfigurations'>;

/** A create or update: `name`, `active` (update only) and each type's `display_preference[preference]`. */
export interface ConfigurationInput {
  name?: string;
  active?: boolean;
  preferences: Record<string, DisplayPreference>;
}

/** The name of a configuration created without one. */
export const unnamedConfigurationName = 'Untitled';

/** A configuration with the types the account can take now, for rendering `available`. */
export interface ConfigurationView {
  row: PaymentMethodConfigurationRow;
  available: ReadonlySet<string>;
}

/** Reads a request's `<type>[display_preference][preference]` parameters into one map. */
export function preferencesOf(params: Record<string, unknown>): Record<string, DisplayPreference> {
  const preferences: Record<string, DisplayPreference> = {};
  for (const type of configurableTypes()) {
    const given = (params[type] as { display_preference?: { preference?: DisplayPreference } } | undefined)?.display_preference?.preference;
    if (given !== undefined) preferences[type] = given;
  }
  return preferences;
}

/** The types the account can take now, read before a write's transaction (the answer is rendered inside it). */
async function availableNow(deps: ConfigurationDependencies, scope: Scope): Promise<ReadonlySet<string>> {
  return new Set((await availableTypes(deps.db, deps.routing, scope)).keys());
}

export async function createConfiguration(work: UnitOfWork, deps: ConfigurationDependencies, scope: Scope, input: ConfigurationInput): Promise<ConfigurationView> {
  const available = await availableNow(deps, scope);
  return work.finalTransaction(async (client) => {
    const row = await insertConfiguration(client, scope, { id: newId('pmc'), name: input.name ?? unnamedConfigurationName, preferences: withPreferences({}, input.preferences), created: nowSeconds() });
    return { row, available };
  });
}

export async function retrieveConfiguration(deps: ConfigurationDependencies, scope: Scope, id: string): Promise<ConfigurationView> {
  const row = await findConfiguration(deps.db, scope, id);
  if (!row) throw missing('payment_method_configuration', id);
  return { row, available: await availableNow(deps, scope) };
}

/**
 * Changes a configuration's name, active flag and preferences. The default configuration stays active: it is what
 * every intent with automatic payment methods uses unless it names another.
 */
export async function modifyConfiguration(work: UnitOfWork, deps: ConfigurationDependencies, scope: Scope, id: string, input: ConfigurationInput): Promise<ConfigurationView> {
  const available = await availableNow(deps, scope);
  const changed = await work.finalTransaction(async (client) => {
    const current = await findConfiguration(client, scope, id, { lock: true });
    if (!current) throw missing('payment_method_configuration', id);
    if (current.is_default && input.active === false) {
      throw new ApiError('invalid_value', 'The default payment method configuration cannot be deactivated; turn its payment methods off instead.', { param: 'active' });
    }
    const row = await updateConfiguration(client, scope, id, {
      name: input.name ?? current.name,
      active: input.active ?? current.active,
      preferences: withPreferences(current.preferences, input.preferences),
    });
    return { row, available };
  });
  if (changed.row.is_default) deps.paymentMethodConfigurations.forget(scope);
  return changed;
}

/**
 * The account's configurations, newest first; the default one is made first if the account never used it. Payrail
 * has no Connect applications, so a list of an application's configurations is empty.
 */
export async function listConfigurationPage(
  deps: ConfigurationDependencies, scope: Scope, page: PageRequest, application?: string | null,
): Promise<{ page: Page<PaymentMethodConfigurationRow>; available: ReadonlySet<string> }> {
  await ensureDefaultConfiguration(deps.db, scope, newId('pmc'), nowSeconds());
  const found = typeof application === 'string' && application !== '' ? { rows: [], hasMore: false } : await listConfigurations(deps.db, scope, page);
  return { page: found, available: await availableNow(deps, scope) };
}
