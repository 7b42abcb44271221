import { settlesIn, type AccountSettings } from '../accounts/settings.ts';
import type { FeeDetail } from '../balance-transactions/repository.ts';
import { convertAmount, type ExchangeRates } from '../fees/exchange-rates.ts';
import { effectivePricing, quoteFee, type Pricing } from '../fees/pricing.ts';
import { secondsPerDay, startOfDay } from '../platform/clock.ts';
import type { Queryable } from '../platform/db.ts';

/** What a captured amount is worth to the merchant: settled amount, fee and when it becomes available. */
export interface ChargeSettlement {
  /** Presentment (charge) currency and amount. */
  currency: string;
  amount: number;
  settlementCurrency: string;
  settlementAmount: number;
  /** Units of the settlement currency per unit of the charge currency; null without conversion. */
  exchangeRate: string | null;
  fee: number;
  feeDetails: FeeDetail[];
  availableOn: number;
}

/** Funds of a charge become available at midnight UTC, `delay_days` days after the day it was captured. */
export function availableOnFor(capturedAt: number, delayDays: number): number {
  return startOfDay(capturedAt) + delayDays * secondsPerDay;
}

/** Settles a captured amount in the account's settlement currency (converting at the current rate if needed). */
export async function settleCharge(
  input: { settings: AccountSettings; defaults: Pricing; rates: ExchangeRates; amount: number; currency: string; cardCountry: string | null; paymentMethodType: string; now: number; through: Queryable; methodDelayDays?: number | null },
): Promise<ChargeSettlement> {
  const { settings } = input;
  let settlementCurrency = input.currency;
  let exchangeRate: string | null = null;
  if (!settlesIn(settings, input.currency)) {
    // Without a configured rate the charge settles in its own currency rather than fail after the card was charged.
    const rate = await input.rates.rate(input.currency, settings.default_currency, input.through);
    if (rate !== undefined) {
      settlementCurrency = settings.default_currency;
      exchangeRate = rate;
    }
  }
  return settleWith({ ...input, settlementCurrency, exchangeRate });
}

/** The settlement of an amount at a known rate (a refund or partial capture reuses its charge's rate). */
export function settleWith(
  input: {
    settings: AccountSettings; defaults: Pricing; amount: number; currency: string; settlementCurrency: string; exchangeRate: string | null; cardCountry: string | null; paymentMethodType: string; now: number; withFee?: boolean;
    /** The payment method's own settlement delay (method-types.ts): funds are available after the later of it and the account's. */
    methodDelayDays?: number | null;
  },
): ChargeSettlement {
  const settlementAmount = input.exchangeRate === null ? input.amount : convertAmount(input.amount, input.currency, input.settlementCurrency, input.exchangeRate);
  const quote = input.withFee === false
    ? { fee: 0, lines: [] }
    : quoteFee(effectivePricing(input.defaults, input.settings.pricing), {
      paymentMethodType: input.paymentMethodType,
      settlementCurrency: input.settlementCurrency,
      settlementAmount,
      international: input.cardCountry !== null && input.cardCountry.toUpperCase() !== input.settings.country.toUpperCase(),
      converted: input.exchangeRate !== null,
    });
  return {
    currency: input.currency,
    amount: input.amount,
    settlementCurrency: input.settlementCurrency,
    settlementAmount,
    exchangeRate: input.exchangeRate,
    fee: quote.fee,
    feeDetails: quote.lines.map((line) => ({ amount: line.amount, application: null, currency: input.settlementCurrency, description: line.description, type: 'stripe_fee' as const })),
    availableOn: availableOnFor(input.now, Math.max(input.settings.payout_delay_days, input.methodDelayDays ?? 0)),
  };
}
