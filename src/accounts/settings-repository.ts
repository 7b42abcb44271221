import type { Queryable } from '../platform/db.ts';
import { defaultSettings, type AccountSettings } from './settings.ts';

// The `account_settings` table: at most one row per account; an account without one has the default settings.

/** The account's settings, the defaults when it has never saved any. */
export async function findAccountSettings(db: Queryable, accountId: string): Promise<AccountSettings> {
  const result = await db.query<AccountSettings>('SELECT * FROM account_settings WHERE account_id = $1', [accountId]);
  return result.rows[0] ?? defaultSettings(accountId);
}

/** Writes an account's settings (all columns) and returns them. */
export async function saveAccountSettings(db: Queryable, settings: AccountSettings): Promise<AccountSettings> {
  const result = await db.query<AccountSettings>(
    `INSERT INTO account_settings (account_id, country, default_currency, settlement_currencies, payout_interval, payout_delay_days,
       payout_weekly_anchor, payout_monthly_anchor, debit_negative_balances, pricing, updated, branding_primary_color, branding_secondary_color,
       branding_icon, branding_logo, sca_transaction_risk_analysis)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     ON CONFLICT (account_id) DO UPDATE SET country = $2, default_currency = $3, settlement_currencies = $4, payout_interval = $5,
       payout_delay_days = $6, payout_weekly_anchor = $7, payout_monthly_anchor = $8, debit_negative_balances = $9, pricing = $10, updated = $11,
       branding_primary_color = $12, branding_secondary_color = $13, branding_icon = $14, branding_logo = $15,
       sca_transaction_risk_analysis = $16
     RETURNING *`,
    [settings.account_id, settings.country, settings.default_currency, settings.settlement_currencies, settings.payout_interval, settings.payout_delay_days,
      settings.payout_weekly_anchor, settings.payout_monthly_anchor, settings.debit_negative_balances, JSON.stringify(settings.pricing), settings.updated,
      settings.branding_primary_color, settings.branding_secondary_color, settings.branding_icon, settings.branding_logo,
      settings.sca_transaction_risk_analysis === null ? null : JSON.stringify(settings.sca_transaction_risk_analysis)],
  );
  return result.rows[0];
}

/** Several accounts' settings at once, the defaults for those that never saved any. */
export async function findAccountsSettings(db: Queryable, accountIds: readonly string[]): Promise<Map<string, AccountSettings>> {
  const result = await db.query<AccountSettings>('SELECT * FROM account_settings WHERE account_id = ANY($1::text[])', [accountIds]);
  const found = new Map(result.rows.map((row) => [row.account_id, row]));
  return new Map(accountIds.map((id) => [id, found.get(id) ?? defaultSettings(id)]));
}
