import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { settleCharge, settleWith, type ChargeSettlement } from '../ledger/settlement.ts';
import type { ChargeRow } from './repository.ts';
import { methodTypeOf } from '../payment-methods/method-types.ts';

/** What settling a capture uses: account settings, default pricing, exchange rates and the clock. */
export type SettlementDependencies = Pick<Dependencies, 'settings' | 'pricing' | 'exchangeRates' | 'clock'>;

/** What settling a refund uses: a refund converts at the charge's own rate, so no exchange rates. */
export type RefundSettlementDependencies = Pick<Dependencies, 'settings' | 'pricing' | 'clock'>;

/** The settlement delay of the charge's payment method type (method-types.ts); null for cards and PayPal. */
function methodDelayDaysOf(charge: Pick<ChargeRow, 'payment_method_details'>): number | null {
  const type = (charge.payment_method_details as { type?: string }).type;
  return type ? methodTypeOf(type)?.settlementDelayDays ?? null : null;
}

function cardCountryOf(charge: Pick<ChargeRow, 'payment_method_details'>): string | null {
  const card = (charge.payment_method_details as { card?: { country?: string | null } }).card;
  return card?.country ?? null;
}

/**
 * What capturing `amount` of a charge settles to for its merchant: converted amount, fee and available date. `client`
 * is the connection the caller holds (settings and rates are read through it on a cache miss, never through a second
 * pooled connection, which could deadlock a busy pool).
 */
export async function captureSettlement(deps: SettlementDependencies, client: Queryable, scope: Scope, charge: Pick<ChargeRow, 'currency' | 'payment_method_details'>, amount: number): Promise<ChargeSettlement> {
  return settleCharge({
    settings: await deps.settings.get(scope.accountId, client),
    defaults: deps.pricing,
    rates: deps.exchangeRates,
    amount,
    currency: charge.currency,
    cardCountry: cardCountryOf(charge),
    paymentMethodType: 'card',
    now: deps.clock.nowSeconds(),
    through: client,
    methodDelayDays: methodDelayDaysOf(charge),
  });
}

/** What refunding `amount` of a captured charge takes from its merchant: converted at the charge's own rate, no fee. */
export async function refundSettlement(deps: RefundSettlementDependencies, client: Queryable, scope: Scope, charge: ChargeRow, amount: number): Promise<ChargeSettlement> {
  return settleWith({
    settings: await deps.settings.get(scope.accountId, client),
    defaults: deps.pricing,
    amount,
    currency: charge.currency,
    settlementCurrency: charge.settlement_currency ?? charge.currency,
    exchangeRate: charge.exchange_rate,
    cardCountry: cardCountryOf(charge),
    paymentMethodType: 'card',
    now: deps.clock.nowSeconds(),
    withFee: false,
  });
}
