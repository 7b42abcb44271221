import { effectivePricing, type Pricing } from '../fees/pricing.ts';
import type { AccountRecord } from './repository.ts';
import type { AccountSettings } from './settings.ts';

/**
 * Stripe's payout schedule: `weekly_anchor` and `monthly_anchor` are only shown for the interval they apply to,
 * as at Stripe; the stored anchors are kept so switching back restores them.
 */
function renderSchedule(settings: AccountSettings): Record<string, unknown> {
  const schedule: Record<string, unknown> = { delay_days: settings.payout_delay_days, interval: settings.payout_interval };
  if (settings.payout_interval === 'weekly') schedule.weekly_anchor = settings.payout_weekly_anchor;
  if (settings.payout_interval === 'monthly') schedule.monthly_anchor = settings.payout_monthly_anchor;
  return schedule;
}

/**
 * The Stripe `account` object for a merchant's own account (a Standard account that can take charges and receive
 * payouts), plus the Payrail extension `payrail_settings`: country, extra settlement currencies, the pricing
 * overrides as stored and the effective pricing (platform defaults with the overrides merged in).
 */
export function renderAccount(account: AccountRecord, settings: AccountSettings, defaultPricing: Pricing): Record<string, unknown> {
  return {
    id: account.id,
    object: 'account',
    business_profile: {
      mcc: null,
      name: account.name,
      product_description: null,
      support_address: null,
      support_email: null,
      support_phone: null,
      support_url: null,
      url: null,
    },
    business_type: null,
    capabilities: { card_payments: 'active', transfers: 'active' },
    charges_enabled: true,
    controller: { type: 'account' },
    country: settings.country,
    created: account.created,
    default_currency: settings.default_currency,
    details_submitted: true,
    email: null,
    metadata: {},
    payouts_enabled: true,
    // Stripe's account settings always carry these four groups; Payrail has no Dashboard or statement descriptor
    // prefixes to configure, so those hold Stripe's defaults (null where unset). The icon and logo are file ids, as at
    // Stripe (`expand` does not reach inside settings there either).
    settings: {
      branding: { icon: settings.branding_icon, logo: settings.branding_logo, primary_color: settings.branding_primary_color, secondary_color: settings.branding_secondary_color },
      card_payments: {
        decline_on: { avs_failure: false, cvc_failure: false },
        statement_descriptor_prefix: null,
        statement_descriptor_prefix_kana: null,
        statement_descriptor_prefix_kanji: null,
      },
      dashboard: { display_name: account.name, timezone: 'Etc/UTC' },
      payments: { statement_descriptor: null, statement_descriptor_kana: null, statement_descriptor_kanji: null },
      payouts: {
        debit_negative_balances: settings.debit_negative_balances,
        schedule: renderSchedule(settings),
        statement_descriptor: null,
      },
    },
    type: 'standard',
    payrail_settings: {
      country: settings.country,
      settlement_currencies: settings.settlement_currencies,
      pricing_overrides: settings.pricing,
      pricing: effectivePricing(defaultPricing, settings.pricing),
      transaction_risk_analysis: settings.sca_transaction_risk_analysis,
    },
  };
}
