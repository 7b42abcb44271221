import type { Queryable } from '../platform/db.ts';
import type { PricingOverrides } from '../fees/pricing.ts';

export const payoutIntervals = ['manual', 'daily', 'weekly', 'monthly'] as const;
export const weekdays = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/** An account's money settings; accounts without a row use the defaults below. */
export interface AccountSettings {
  account_id: string;
  /** ISO 3166-1 alpha-2 (upper case): cards issued elsewhere are international. */
  country: string;
  /** The settlement currency; charges in currencies it does not settle in are converted to it. */
  default_currency: string;
  settlement_currencies: string[];
  payout_interval: (typeof payoutIntervals)[number];
  /** Days charge funds stay pending before they become available (Stripe's `delay_days`). */
  payout_delay_days: number;
  payout_weekly_anchor: (typeof weekdays)[number];
  payout_monthly_anchor: number;
  debit_negative_balances: boolean;
  pricing: PricingOverrides;
  updated: number;
}

export function defaultSettings(accountId: string): AccountSettings {
  return {
    account_id: accountId,
    country: 'US',
    default_currency: 'usd',
    settlement_currencies: [],
    payout_interval: 'daily',
    payout_delay_days: 2,
    payout_weekly_anchor: 'monday',
    payout_monthly_anchor: 1,
    debit_negative_balances: true,
    pricing: {},
    updated: 0,
  };
}

/** Whether an account settles in `currency` without conversion. */
export function settlesIn(settings: AccountSettings, currency: string): boolean {
  return currency === settings.default_currency || settings.settlement_currencies.includes(currency);
}

export async function findAccountSettings(db: Queryable, accountId: string): Promise<AccountSettings> {
  const result = await db.query<AccountSettings>('SELECT * FROM account_settings WHERE account_id = $1', [accountId]);
  return result.rows[0] ?? defaultSettings(accountId);
}

/** Writes an account's settings (all columns) and returns them. */
export async function saveAccountSettings(db: Queryable, settings: AccountSettings): Promise<AccountSettings> {
  const result = await db.query<AccountSettings>(
    `INSERT INTO account_settings (account_id, country, default_currency, settlement_currencies, payout_interval, payout_delay_days,
       payout_weekly_anchor, payout_monthly_anchor, debit_negative_balances, pricing, updated)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (account_id) DO UPDATE SET country = $2, default_currency = $3, settlement_currencies = $4, payout_interval = $5,
       payout_delay_days = $6, payout_weekly_anchor = $7, payout_monthly_anchor = $8, debit_negative_balances = $9, pricing = $10, updated = $11
     RETURNING *`,
    [settings.account_id, settings.country, settings.default_currency, settings.settlement_currencies, settings.payout_interval, settings.payout_delay_days,
      settings.payout_weekly_anchor, settings.payout_monthly_anchor, settings.debit_negative_balances, JSON.stringify(settings.pricing), settings.updated],
  );
  return result.rows[0];
}

/** How long a cached copy of an account's settings is used on the payment path before it is read again. */
export const settingsCacheMs = 2_000;

/**
 * Settings are read on every capture; a short-lived cache keeps that off the database. A change made through this
 * process is seen at once (`forget`); one made through another Payrail process within `settingsCacheMs`.
 */
export class AccountSettingsCache {
  readonly #entries = new Map<string, { settings: AccountSettings; expires: number }>();

  constructor(private readonly db: Queryable) {}

  /**
   * The account's settings. `through` is the connection to read with on a miss: code that already holds a pooled
   * connection must pass it, because waiting for a second connection while holding one deadlocks a busy pool.
   */
  async get(accountId: string, through: Queryable = this.db): Promise<AccountSettings> {
    const cached = this.#entries.get(accountId);
    if (cached && cached.expires > Date.now()) return cached.settings;
    const settings = await findAccountSettings(through, accountId);
    if (this.#entries.size > 10_000) this.#entries.clear();
    this.#entries.set(accountId, { settings, expires: Date.now() + settingsCacheMs });
    return settings;
  }

  forget(accountId: string): void {
    this.#entries.delete(accountId);
  }
}
