import type { Dependencies } from '../../dependencies.ts';
import { convertAmount } from '../../fees/exchange-rates.ts';
import type { Queryable } from '../../platform/db.ts';
import type { Scope } from '../../platform/scope.ts';
import type { PaymentMethodRow } from '../../payment-methods/repository.ts';
import type { PaymentIntentRow } from '../repository.ts';
import { findCardCounters } from './counters-repository.ts';
import { decideStrongCustomerAuthentication } from './decision.ts';
import { inMandateRegion } from './regions.ts';
import { emptyCounters, type ScaDecision } from './types.ts';

/** What gathering the decision's facts uses: the account's settings and the exchange rates (both cached). */
export type ScaDependencies = Pick<Dependencies, 'settings' | 'exchangeRates'>;

/**
 * The amount in euro cents: as is for the euro, else at the exchange rate Payrail settles with (the rates file,
 * `exchange_rates`), rounded half up. Undefined rate: null, and no amount-based exemption (docs/sca.md).
 */
async function amountInEuro(deps: ScaDependencies, client: Queryable, amount: number, currency: string): Promise<number | null> {
  if (currency === 'eur') return amount;
  const rate = await deps.exchangeRates.rate(currency, 'eur', client);
  return rate === undefined ? null : convertAmount(amount, currency, 'eur', rate);
}

/**
 * Gathers the facts of a card payment (the account's country and risk analysis setting, the card's country and
 * counters, the euro amount) and decides (decision.ts). Null for a wallet: PayPal authenticates its payers itself.
 * `client` is the connection the caller holds: settings and rates are read through it on a cache miss.
 */
export async function decideForPayment(
  deps: ScaDependencies,
  client: Queryable,
  scope: Scope,
  intent: Pick<PaymentIntentRow, 'amount' | 'currency' | 'payment_method_options'>,
  paymentMethod: PaymentMethodRow,
  merchantInitiated: boolean,
): Promise<ScaDecision | null> {
  if (paymentMethod.type !== 'card') return null;
  const settings = await deps.settings.get(scope.accountId, client);
  // Counters are read only where they can matter (a payment the mandate may cover): an account outside the EEA and
  // the UK, a card known to be issued outside, or a merchant-initiated payment costs no query.
  const mayBeInScope = !merchantInitiated && inMandateRegion(settings.country) && (paymentMethod.card.country === null || inMandateRegion(paymentMethod.card.country));
  const counters = mayBeInScope && paymentMethod.card.fingerprint ? await findCardCounters(client, scope, paymentMethod.card.fingerprint) : emptyCounters;
  return decideStrongCustomerAuthentication({
    merchantCountry: settings.country,
    cardCountry: paymentMethod.card.country,
    merchantInitiated,
    amount: intent.amount,
    currency: intent.currency,
    amountEur: await amountInEuro(deps, client, intent.amount, intent.currency),
    requestThreeDSecure: intent.payment_method_options.card?.request_three_d_secure ?? 'automatic',
    counters,
    transactionRiskAnalysis: settings.sca_transaction_risk_analysis ?? null,
  });
}
