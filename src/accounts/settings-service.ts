import type { Dependencies } from '../dependencies.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import { brandingFile } from '../files/service.ts';
import type { Scope } from '../platform/scope.ts';
import { pricingProblem, type PriceRule, type PricingOverrides } from '../fees/pricing.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError } from '../platform/errors.ts';
import { isCurrency } from '../platform/money.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderAccount } from './render.ts';
import { findAccount, type AccountRecord } from './repository.ts';
import { defaultSettings, type AccountSettings, type payoutIntervals, type weekdays } from './settings.ts';
import { findAccountSettings, saveAccountSettings } from './settings-repository.ts';

/**
 * What updating account settings uses: the default pricing (rendered before and after), the clock, and the settings
 * cache it clears.
 */
export type AccountSettingsDependencies = Pick<Dependencies, 'pricing' | 'clock' | 'settings'>;

/** Longest payout delay accepted, in days (the `account_settings` CHECK constraint holds the same bound). */
export const payoutDelayDaysMax = 365;
/** Currencies an account may settle in besides its default one. */
export const settlementCurrenciesMax = 20;

/** An update of an account's settings; absent fields keep their value. */
export interface AccountSettingsUpdate {
  default_currency?: string;
  payouts?: {
    debit_negative_balances?: boolean;
    schedule?: {
      interval?: (typeof payoutIntervals)[number];
      /** `minimum` is the platform's standard delay (what a new account gets). */
      delay_days?: number | 'minimum';
      weekly_anchor?: (typeof weekdays)[number];
      monthly_anchor?: number;
    };
  };
  /**
   * Stripe's settings.branding: colours (`#rrggbb`) and the icon and logo (ids of the account's files of purpose
   * business_icon / business_logo); `null` (sent as '') goes back to Payrail's colours, or removes the image.
   */
  branding?: { primary_color?: string | null; secondary_color?: string | null; icon?: string | null; logo?: string | null };
  /** The Payrail extension; `null` clears settlement currencies or pricing overrides. */
  payrail?: {
    country?: string;
    settlement_currencies?: string[] | null;
    pricing?: PricingOverrides | null;
    /** The transaction risk analysis exemption's fraud rate (basis points); `null` turns the exemption off. */
    transaction_risk_analysis?: { fraud_rate_bps: number } | null;
  };
}

/** Parameter names of the update, in Stripe's bracket notation, for errors. */
const params = {
  defaultCurrency: 'default_currency',
  settlementCurrency: (index: number) => `payrail_settings[settlement_currencies][${index}]`,
  pricing: 'payrail_settings[pricing]',
};

/** A pricing override checked one field at a time, so the error names the exact parameter at fault. */
function checkPricing(pricing: PricingOverrides): void {
  const fail = (problem: string, param: string) => new ApiError('invalid_value', `Invalid pricing: ${problem}.`, { param });
  for (const [type, byCurrency] of Object.entries(pricing.rules ?? {})) {
    for (const [currency, rule] of Object.entries(byCurrency)) {
      if (currency !== '*' && !isCurrency(currency)) {
        throw new ApiError('invalid_currency', `Invalid currency: ${currency}. Pricing rules are keyed by a supported ISO 4217 code (lower case) or "*".`, { param: `${params.pricing}[rules][${type}][${currency}]` });
      }
      for (const field of ['percent_bps', 'fixed'] as const satisfies readonly (keyof PriceRule)[]) {
        if (rule[field] === undefined) continue;
        const problem = pricingProblem({ rules: { [type]: { [currency]: { [field]: rule[field] } } } });
        if (problem) throw fail(problem, `${params.pricing}[rules][${type}][${currency}][${field}]`);
      }
    }
  }
  for (const field of ['international_bps', 'currency_conversion_bps'] as const) {
    const problem = pricingProblem({ [field]: pricing[field] });
    if (problem) throw fail(problem, `${params.pricing}[${field}]`);
  }
}

/** Checks that need no database (run before an idempotency key is taken, and again by the update itself). */
export function checkAccountSettingsUpdate(update: AccountSettingsUpdate): void {
  if (update.default_currency !== undefined && !isCurrency(update.default_currency)) {
    throw new ApiError('invalid_currency', `Invalid currency: ${update.default_currency}. Stripe currencies are three-letter ISO codes in lower case.`, { param: params.defaultCurrency });
  }
  const currencies = update.payrail?.settlement_currencies ?? [];
  if (currencies.length > settlementCurrenciesMax) {
    throw new ApiError('invalid_value', `An account may settle in at most ${settlementCurrenciesMax} currencies besides its default one.`, { param: 'payrail_settings[settlement_currencies]' });
  }
  currencies.forEach((currency, index) => {
    if (!isCurrency(currency)) throw new ApiError('invalid_currency', `Invalid currency: ${currency}.`, { param: params.settlementCurrency(index) });
  });
  if (update.payrail?.pricing) checkPricing(update.payrail.pricing);
}

/** Merges a pricing update into stored overrides rule by rule (as metadata updates merge key by key). */
export function mergePricingOverrides(current: PricingOverrides, update: PricingOverrides): PricingOverrides {
  const rules: NonNullable<PricingOverrides['rules']> = {};
  for (const [type, byCurrency] of Object.entries(current.rules ?? {})) {
    rules[type] = {};
    for (const [currency, rule] of Object.entries(byCurrency)) rules[type][currency] = { ...rule };
  }
  for (const [type, byCurrency] of Object.entries(update.rules ?? {})) {
    const merged = (rules[type] ??= {});
    for (const [currency, rule] of Object.entries(byCurrency)) {
      const next: Partial<PriceRule> = { ...merged[currency] };
      if (rule.percent_bps !== undefined) next.percent_bps = rule.percent_bps;
      if (rule.fixed !== undefined) next.fixed = rule.fixed;
      merged[currency] = next;
    }
  }
  const merged: PricingOverrides = {};
  if (Object.keys(rules).length > 0) merged.rules = rules;
  const international = update.international_bps ?? current.international_bps;
  if (international !== undefined) merged.international_bps = international;
  const conversion = update.currency_conversion_bps ?? current.currency_conversion_bps;
  if (conversion !== undefined) merged.currency_conversion_bps = conversion;
  return merged;
}

/** The settings after an update (pure: no clock, no database). */
export function applySettingsUpdate(current: AccountSettings, update: AccountSettingsUpdate): AccountSettings {
  const next: AccountSettings = { ...current, settlement_currencies: [...current.settlement_currencies] };
  if (update.default_currency !== undefined) next.default_currency = update.default_currency;
  const payouts = update.payouts;
  if (payouts?.debit_negative_balances !== undefined) next.debit_negative_balances = payouts.debit_negative_balances;
  const schedule = payouts?.schedule;
  if (schedule?.interval !== undefined) next.payout_interval = schedule.interval;
  if (schedule?.delay_days !== undefined) {
    // Payrail has no per-country risk minimum: `minimum` means the platform's standard delay, a new account's default.
    next.payout_delay_days = schedule.delay_days === 'minimum' ? defaultSettings(current.account_id).payout_delay_days : schedule.delay_days;
  }
  if (schedule?.weekly_anchor !== undefined) next.payout_weekly_anchor = schedule.weekly_anchor;
  if (schedule?.monthly_anchor !== undefined) next.payout_monthly_anchor = schedule.monthly_anchor;
  const branding = update.branding;
  if (branding?.primary_color !== undefined) next.branding_primary_color = branding.primary_color === null ? null : branding.primary_color.toLowerCase();
  if (branding?.secondary_color !== undefined) next.branding_secondary_color = branding.secondary_color === null ? null : branding.secondary_color.toLowerCase();
  if (branding?.icon !== undefined) next.branding_icon = branding.icon;
  if (branding?.logo !== undefined) next.branding_logo = branding.logo;
  const payrail = update.payrail;
  if (payrail?.country !== undefined) next.country = payrail.country.toUpperCase();
  if (payrail?.settlement_currencies !== undefined) next.settlement_currencies = [...new Set(payrail.settlement_currencies ?? [])];
  if (payrail?.transaction_risk_analysis !== undefined) {
    next.sca_transaction_risk_analysis = payrail.transaction_risk_analysis === null ? null : { fraud_rate_bps: payrail.transaction_risk_analysis.fraud_rate_bps };
  }
  if (payrail?.pricing !== undefined) next.pricing = payrail.pricing === null ? {} : mergePricingOverrides(current.pricing, payrail.pricing);
  return next;
}

/**
 * The icon and logo must name files the account uploaded in this mode with the matching purpose (else 400 naming
 * `settings[branding][icon]` or `[logo]`). Files are never deleted, so a file found here stays for the commit.
 */
async function checkBrandingFiles(db: Queryable, scope: Scope, branding: AccountSettingsUpdate['branding']): Promise<void> {
  if (typeof branding?.icon === 'string') await brandingFile(db, scope, branding.icon, 'business_icon', 'settings[branding][icon]');
  if (typeof branding?.logo === 'string') await brandingFile(db, scope, branding.logo, 'business_logo', 'settings[branding][logo]');
}

/**
 * Only the caller's own account is visible: another account's id gets Stripe's answer for an account the key
 * cannot reach (403 `account_invalid`), whether or not that account exists, so ids cannot be probed.
 */
function checkOwnAccount(scope: Scope, id: string): void {
  if (id !== scope.accountId) {
    throw new ApiError('account_invalid', `The provided key does not have access to account '${id}' (or that account does not exist). Application access may have been revoked.`, { param: 'account' });
  }
}

async function findAccountRecord(db: Queryable, accountId: string, options: { forUpdate?: boolean } = {}): Promise<AccountRecord> {
  const account = await findAccount(db, accountId, options);
  // The caller was authenticated with a key of this account, and accounts are never deleted.
  if (!account) throw new Error(`invariant violated: account ${accountId} of an authenticated caller does not exist`);
  return account;
}

export interface AccountView {
  account: AccountRecord;
  settings: AccountSettings;
}

/** The caller's account with its settings, read from the database (not the short-lived cache). */
export async function retrieveAccount(db: Queryable, scope: Scope, id: string = scope.accountId): Promise<AccountView> {
  checkOwnAccount(scope, id);
  const [account, settings] = await Promise.all([findAccountRecord(db, scope.accountId), findAccountSettings(db, scope.accountId)]);
  return { account, settings };
}

/**
 * Updates the caller's account settings. The account row is locked so concurrent updates apply one after the
 * other; `account.updated` is recorded with Stripe's `previous_attributes` when anything changed. The settings
 * cache is told after the commit, so the next capture uses the new pricing and delay at once.
 */
export async function updateAccountSettings(work: UnitOfWork, deps: AccountSettingsDependencies, scope: Scope, id: string, update: AccountSettingsUpdate): Promise<AccountView> {
  checkOwnAccount(scope, id);
  checkAccountSettingsUpdate(update);
  const view = await work.finalTransaction(async (client) => {
    const account = await findAccountRecord(client, scope.accountId, { forUpdate: true });
    await checkBrandingFiles(client, scope, update.branding);
    const current = await findAccountSettings(client, scope.accountId);
    const next = applySettingsUpdate(current, update);
    const before = renderAccount(account, current, deps.pricing);
    const after = renderAccount(account, next, deps.pricing);
    const previous = changedAttributes(before, after);
    // An update that changes nothing is not a state change: nothing is written and no event recorded (as at Stripe).
    if (Object.keys(previous).length === 0) return { account, settings: current };
    const saved = await saveAccountSettings(client, { ...next, updated: deps.clock.nowSeconds() });
    await recordEvent(client, scope, work, 'account.updated', after, previous);
    return { account, settings: saved };
  });
  deps.settings.forget(scope.accountId);
  return view;
}
