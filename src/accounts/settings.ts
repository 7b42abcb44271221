import type { PricingOverrides } from '../fees/pricing.ts';
import type { TransactionRiskAnalysis } from '../payments/sca/types.ts';

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
  /** Stripe's settings.branding colours (`#rrggbb`, lower case), for the customer-facing pages; null for Payrail's own. */
  branding_primary_color: string | null;
  branding_secondary_color: string | null;
  /** Stripe's settings.branding icon and logo: ids of the account's files of purpose business_icon / business_logo. */
  branding_icon: string | null;
  branding_logo: string | null;
  /**
   * Strong customer authentication's transaction risk analysis exemption: null (the default) is off; else the
   * acquirer's fraud rate, which sets the amount threshold (src/payments/sca/exemptions.ts, docs/sca.md).
   */
  sca_transaction_risk_analysis: TransactionRiskAnalysis | null;
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
    branding_primary_color: null,
    branding_secondary_color: null,
    branding_icon: null,
    branding_logo: null,
    sca_transaction_risk_analysis: null,
    updated: 0,
  };
}

/** Whether an account settles in `currency` without conversion. */
export function settlesIn(settings: AccountSettings, currency: string): boolean {
  return currency === settings.default_currency || settings.settlement_currencies.includes(currency);
}
