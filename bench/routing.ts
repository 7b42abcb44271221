/**
 * `npm run bench:routing`: how long one routing decision (`decideRoute`) takes in-process, p50/p99/max.
 *
 * Setup: 8 candidates (different currencies, countries, fee tables, priorities), a profile of 20 rules of which the
 * last few match part of the traffic (so most decisions check every rule), success-rate windows filled for every
 * candidate in every dimension, and one open circuit. 1,024 pre-generated payments (currencies, brands, BINs, amounts,
 * metadata) are cycled through. Each strategy is measured over BENCH_DECISIONS decisions (default 200,000) after a
 * warm-up, timing every call with the high-resolution clock (the timer's own cost, about 30-60 ns, is included).
 *
 * Settings: BENCH_DECISIONS (default 200000), BENCH_WARMUP (default 20000).
 */
import { CircuitBreakers } from '../src/routing/circuit-breaker.ts';
import { candidateKey, decideRoute, successDimension, type RoutingHealth } from '../src/routing/decide.ts';
import { defaultRoutingProfile } from '../src/routing/profile.ts';
import { SuccessRates } from '../src/routing/success-rates.ts';
import type { PaymentFacts, RoutingCandidate, RoutingConditions, RoutingProfile, RoutingRule, RoutingStrategy } from '../src/routing/types.ts';
import { seededRandom } from '../test/helpers/seeded-random.ts';
import { percentile } from './load.ts';

const decisions = Number(process.env.BENCH_DECISIONS ?? 200_000);
const warmup = Number(process.env.BENCH_WARMUP ?? 20_000);

const random = seededRandom(2024);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

const candidates: RoutingCandidate[] = [
  { configurationId: 'pcc_adyen_eu', connector: 'adyen', priority: 1, supportedCurrencies: ['eur', 'gbp', 'usd'], supportedCountries: [], paymentMethodTypes: ['card'], fees: { eur: { percent_bps: 180, fixed: 10 }, '*': { percent_bps: 250, fixed: 0 } }, manualCapture: true },
  { configurationId: 'pcc_adyen_us', connector: 'adyen', priority: 2, supportedCurrencies: ['usd', 'cad'], supportedCountries: ['US', 'CA'], paymentMethodTypes: ['card'], fees: { usd: { percent_bps: 220, fixed: 20 } }, manualCapture: true },
  { configurationId: 'pcc_stripe_main', connector: 'stripe', priority: 3, supportedCurrencies: [], supportedCountries: [], paymentMethodTypes: ['card'], fees: { usd: { percent_bps: 290, fixed: 30 }, eur: { percent_bps: 150, fixed: 25 }, '*': { percent_bps: 340, fixed: 0 } }, manualCapture: true },
  { configurationId: 'pcc_stripe_backup', connector: 'stripe', priority: 9, supportedCurrencies: [], supportedCountries: [], paymentMethodTypes: ['card'], fees: { '*': { percent_bps: 350, fixed: 0 } }, manualCapture: true },
  { configurationId: 'pcc_paypal', connector: 'paypal', priority: 5, supportedCurrencies: [], supportedCountries: [], paymentMethodTypes: ['paypal', 'card'], fees: { '*': { percent_bps: 349, fixed: 0 } }, manualCapture: true },
  { configurationId: 'pcc_adyen_apac', connector: 'adyen', priority: 4, supportedCurrencies: ['jpy', 'aud', 'sgd', 'usd'], supportedCountries: ['JP', 'AU', 'SG', 'US'], paymentMethodTypes: ['card'], fees: {}, manualCapture: true },
  { configurationId: 'pcc_test', connector: 'test_processor', priority: 8, supportedCurrencies: [], supportedCountries: [], paymentMethodTypes: ['card'], fees: { '*': { percent_bps: 0, fixed: 0 } }, manualCapture: false },
  { configurationId: 'pcc_stripe_gb', connector: 'stripe', priority: 6, supportedCurrencies: ['gbp'], supportedCountries: ['GB'], paymentMethodTypes: ['card'], fees: { gbp: { percent_bps: 140, fixed: 20 } }, manualCapture: true },
];

const currencies = ['usd', 'eur', 'gbp', 'jpy', 'cad', 'aud'];
const countries = ['US', 'DE', 'FR', 'GB', 'JP', 'CA', 'AU', 'NL'];
const brands = ['visa', 'mastercard', 'amex', 'discover'];
const binsOf: Record<string, string[]> = { visa: ['424242', '41111111', '400005'], mastercard: ['555555', '22230031', '510510'], amex: ['378282', '371449'], discover: ['601111', '650002'] };

const payments: PaymentFacts[] = Array.from({ length: 1024 }, () => {
  const wallet = random() < 0.1;
  const brand = pick(brands);
  return {
    amount: 100 + Math.floor(random() * 200_000),
    currency: pick(currencies),
    country: wallet && random() < 0.5 ? null : pick(countries),
    cardBrand: wallet ? null : brand,
    bin: wallet ? null : pick(binsOf[brand]),
    paymentMethodType: wallet ? 'paypal' : 'card',
    metadata: { channel: pick(['web', 'app', 'pos']), tier: pick(['gold', 'silver', 'bronze']), order: String(Math.floor(random() * 1e6)) },
    manualCapture: random() < 0.2,
  };
});

/** 20 rules: 16 that match (almost) nothing, each failing on a different condition, then 4 that match part of the traffic. */
function rules(): RoutingRule[] {
  const list: RoutingRule[] = [];
  for (let index = 0; index < 16; index++) {
    const conditions: RoutingConditions = ([
      { currencies: ['chf', 'sek'] },
      { amountGte: 50_000_000 },
      { countries: ['BR', 'MX'], currencies: ['usd'] },
      { cardBrands: ['jcb'], amountLte: 100_000 },
      { binRanges: [{ from: '300000', to: '305999' }, { prefix: '36' }] },
      { metadata: { channel: 'kiosk' } },
      { paymentMethodTypes: ['paypal'], currencies: ['sgd'] },
      { metadata: { tier: 'platinum', channel: 'web' } },
    ] as RoutingConditions[])[index % 8];
    list.push({ id: `r_never_${index}`, conditions, action: { type: 'prefer', configurationIds: ['pcc_stripe_backup'] }, fallback: true });
  }
  list.push({ id: 'r_gb_amex', conditions: { countries: ['GB'], cardBrands: ['amex'] }, action: { type: 'prefer', configurationIds: ['pcc_stripe_gb', 'pcc_stripe_main'] }, fallback: true });
  list.push({ id: 'r_eu_split', conditions: { currencies: ['eur'], paymentMethodTypes: ['card'], binRanges: [{ prefix: '4' }, { from: '510000', to: '559999' }] }, action: { type: 'split', split: [{ configurationId: 'pcc_adyen_eu', weight: 70 }, { configurationId: 'pcc_stripe_main', weight: 30 }] }, fallback: true });
  list.push({ id: 'r_big_app', conditions: { amountGte: 150_000, metadata: { channel: 'app' } }, action: { type: 'prefer', configurationIds: ['pcc_adyen_us', 'pcc_adyen_eu'] }, fallback: false });
  list.push({ id: 'r_gold_split', conditions: { metadata: { tier: 'gold' }, currencies: ['usd', 'cad'] }, action: { type: 'split', split: [{ configurationId: 'pcc_adyen_us', weight: 50 }, { configurationId: 'pcc_stripe_main', weight: 40 }, { configurationId: 'pcc_adyen_apac', weight: 10 }] }, fallback: true });
  return list;
}

const now = Date.now();
const health: RoutingHealth = { successRates: new SuccessRates(), breakers: new CircuitBreakers() };
for (const payment of payments) {
  for (const candidate of candidates) {
    // A different authorization rate per candidate, filled over the whole window.
    const rate = 0.7 + ((candidate.priority * 7) % 25) / 100;
    health.successRates.record(candidateKey(candidate), successDimension(payment), random() < rate, now - Math.floor(random() * 15 * 60_000));
  }
}
for (let index = 0; index < 5; index++) health.breakers.record('pcc_stripe_backup', 'failure', now - 1000);

function measure(strategy: RoutingStrategy, withRules: boolean): { p50: number; p99: number; p999: number; max: number; ruleShare: number; explored: number } {
  const profile: RoutingProfile = { ...defaultRoutingProfile, strategy, explorationBps: 500, rules: withRules ? rules() : [] };
  const decide = (index: number) => decideRoute({ facts: payments[index & 1023], candidates, profile, health, random, nowMs: now });
  for (let index = 0; index < warmup; index++) decide(index);
  const durations = new Float64Array(decisions);
  let matched = 0;
  let explored = 0;
  for (let index = 0; index < decisions; index++) {
    const started = process.hrtime.bigint();
    const decision = decide(index);
    durations[index] = Number(process.hrtime.bigint() - started) / 1000;
    if (decision.ruleId !== null) matched += 1;
    if (decision.explored) explored += 1;
  }
  durations.sort();
  return { p50: percentile(durations, 0.5), p99: percentile(durations, 0.99), p999: percentile(durations, 0.999), max: durations[durations.length - 1], ruleShare: matched / decisions, explored: explored / decisions };
}

console.log(`routing decision: ${candidates.length} candidates, ${decisions} decisions per row after ${warmup} warm-up, node ${process.version}`);
console.log('strategy       rules  p50 µs   p99 µs   p99.9 µs  max µs    rule matched  explored');
for (const [strategy, withRules] of [['success_rate', true], ['success_rate', false], ['priority', true], ['lowest_cost', true]] as const) {
  const result = measure(strategy, withRules);
  console.log(
    `${strategy.padEnd(14)} ${String(withRules ? 20 : 0).padStart(5)}  ${result.p50.toFixed(2).padStart(6)}  ${result.p99.toFixed(2).padStart(7)}  ${result.p999.toFixed(2).padStart(8)}  ${result.max.toFixed(1).padStart(7)}   ${(result.ruleShare * 100).toFixed(1).padStart(10)}%  ${(result.explored * 100).toFixed(1).padStart(7)}%`,
  );
}
