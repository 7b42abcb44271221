import type { CircuitBreakers, CircuitState } from './circuit-breaker.ts';
import { expectedCost, formatCost } from './cost.ts';
import { matchingRule } from './rules.ts';
import type { SuccessRates } from './success-rates.ts';
import type { PaymentFacts, RoutedCandidate, RoutingCandidate, RoutingDecision, RoutingProfile, RoutingRule, RoutingStrategy, ExcludedCandidate } from './types.ts';

/**
 * The routing decision: which connectors may take a payment, and in which order to try them. Pure and synchronous:
 * everything it needs is passed in (health figures, the random source, the time), so the same inputs give the same
 * decision and a test can replay any of them. It runs on every payment, so it allocates little and does no I/O.
 *
 * 1. Eligibility: the payment method type, currency, country and (for manual capture) the capability to capture later.
 * 2. The first rule whose conditions all hold orders its target configurations (a preference, or a weighted split);
 *    with `fallback` the other eligible candidates follow in strategy order.
 * 3. Without a matching rule the strategy orders them: `priority`, `success_rate` (with an exploration share) or
 *    `lowest_cost`. Ties break by priority, then configuration id.
 * 4. Candidates whose circuit is open go last.
 */

/** The health figures routing reads: authorization rates and circuit breakers (both in-process). */
export interface RoutingHealth {
  successRates: SuccessRates;
  breakers: CircuitBreakers;
}

/** The routing key of the built-in test processor, which has no configuration id. */
export const builtInCandidateKey = 'test_processor';
/** Attempts in the window below which a candidate's own rate is not trusted (it is then being explored). */
export const rateMinimumAttempts = 20;
/**
 * Weight, in pseudo-attempts, of the pooled rate of all eligible candidates in a candidate's smoothed rate: a
 * candidate with little data is assumed about average rather than perfect (one success) or useless (one decline).
 * As much as the data a rate needs to be trusted, so a handful of outcomes moves a candidate only a little.
 */
export const ratePriorAttempts = rateMinimumAttempts;
/** The rate assumed when no candidate has any data in the dimension. */
const rateWithoutData = 0.5;
const basisPointsPerWhole = 10_000;

/** The dimension success rates are kept per: method, currency and (for cards) brand, e.g. `card:usd:visa`. */
export function successDimension(facts: PaymentFacts): string {
  return facts.cardBrand === null ? `${facts.paymentMethodType}:${facts.currency}` : `${facts.paymentMethodType}:${facts.currency}:${facts.cardBrand}`;
}

/** The key of a candidate in the health figures: its configuration id, or `test_processor` for the built-in one. */
export function candidateKey(candidate: Pick<RoutingCandidate, 'configurationId'>): string {
  return candidate.configurationId ?? builtInCandidateKey;
}

/** An eligible candidate while it is being ordered. */
interface Entry {
  candidate: RoutingCandidate;
  key: string;
  circuit: CircuitState;
  reason: string;
  /** Strategy score, higher first. */
  score: number;
  /** Attempts in the window (success_rate only; 0 otherwise). */
  attempts: number;
}

/** Why a candidate cannot take the payment at all; null when it can. */
function ineligibility(candidate: RoutingCandidate, facts: PaymentFacts): string | null {
  if (!candidate.paymentMethodTypes.includes(facts.paymentMethodType)) return `does not carry ${facts.paymentMethodType} payments`;
  if (candidate.supportedCurrencies.length > 0 && !candidate.supportedCurrencies.includes(facts.currency)) return `does not support currency ${facts.currency}`;
  // An unknown country (a wallet before approval) excludes no one: there is nothing to hold against the list.
  if (facts.country !== null && candidate.supportedCountries.length > 0 && !candidate.supportedCountries.includes(facts.country)) return `does not support country ${facts.country}`;
  if (facts.manualCapture && !candidate.manualCapture) return 'cannot authorize now and capture later (manual capture)';
  if (facts.installments === true && candidate.installments !== true) return 'cannot take an installment plan';
  return null;
}

function compareEntries(a: Entry, b: Entry): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.candidate.priority !== b.candidate.priority) return a.candidate.priority - b.candidate.priority;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

/** Sets each entry's score and reason for the strategy and sorts them, best first. */
function orderByStrategy(entries: Entry[], strategy: RoutingStrategy, facts: PaymentFacts, health: RoutingHealth, nowMs: number): Entry[] {
  switch (strategy) {
    case 'priority':
      for (const entry of entries) {
        entry.score = 0;
        entry.reason = `priority ${entry.candidate.priority}`;
      }
      break;
    case 'lowest_cost':
      for (const entry of entries) {
        const cost = expectedCost(entry.candidate.fees, facts.amount, facts.currency);
        // Unknown costs go after every known one, and among themselves by priority.
        entry.score = cost === null ? -Infinity : -cost;
        entry.reason = cost === null ? `cost unknown (no fee for ${facts.currency})` : `expected cost ${formatCost(cost, facts.currency)}`;
      }
      break;
    case 'success_rate': {
      const dimension = successDimension(facts);
      let pooledAttempts = 0;
      let pooledAuthorized = 0;
      const authorized: number[] = new Array(entries.length);
      for (let index = 0; index < entries.length; index++) {
        const entry = entries[index];
        const rate = health.successRates.rate(entry.key, dimension, nowMs);
        entry.attempts = rate.attempts;
        authorized[index] = rate.authorized;
        pooledAttempts += rate.attempts;
        pooledAuthorized += rate.authorized;
      }
      const prior = pooledAttempts === 0 ? rateWithoutData : pooledAuthorized / pooledAttempts;
      for (let index = 0; index < entries.length; index++) {
        const entry = entries[index];
        entry.score = (authorized[index] + ratePriorAttempts * prior) / (entry.attempts + ratePriorAttempts);
        if (entry.attempts >= rateMinimumAttempts) entry.reason = `success rate ${percent(authorized[index] / entry.attempts)} over ${entry.attempts} attempts`;
        else if (pooledAttempts === 0) entry.reason = `no success-rate data yet (priority ${entry.candidate.priority})`;
        else entry.reason = `too little data (${entry.attempts} attempts), assumed ${percent(entry.score)}`;
      }
      break;
    }
    default: {
      const unknown: never = strategy;
      throw new Error(`invariant violated: unknown routing strategy ${String(unknown)}`);
    }
  }
  return entries.sort(compareEntries);
}

/** Picks an index of `weights` at random, each with probability weight / total. */
function weightedIndex(weights: readonly number[], random: () => number): number {
  let total = 0;
  for (const weight of weights) total += weight;
  let point = random() * total;
  for (let index = 0; index < weights.length; index++) {
    point -= weights[index];
    if (point < 0) return index;
  }
  return weights.length - 1;
}

/** The rule's targets among the eligible entries, in the order to try; the other entries are left in `rest`. */
function orderByRule(rule: RoutingRule, entries: Entry[], random: () => number): { targets: Entry[]; rest: Entry[] } {
  const action = rule.action;
  const targets: Entry[] = [];
  if (action.type === 'prefer') {
    const total = action.configurationIds.length;
    action.configurationIds.forEach((id, position) => {
      const entry = entries.find((item) => item.candidate.configurationId === id);
      if (entry === undefined) return;
      entry.reason = `rule ${rule.id} (preference ${position + 1} of ${total})`;
      targets.push(entry);
    });
  } else {
    for (const target of action.split) {
      const entry = entries.find((item) => item.candidate.configurationId === target.configurationId);
      if (entry === undefined) continue;
      entry.score = target.weight;
      entry.reason = `rule ${rule.id} (split, weight ${target.weight})`;
      targets.push(entry);
    }
    // The weighted pick is among the targets whose circuit is not open, so an open one's share goes to the others.
    const available = targets.filter((entry) => entry.circuit !== 'open');
    const shares = available.map((entry) => entry.score).join('/');
    const picked = available.length === 1 ? available[0] : available.length > 1 ? available[weightedIndex(available.map((entry) => entry.score), random)] : undefined;
    targets.sort(compareEntries);
    if (picked !== undefined) {
      picked.reason = `rule ${rule.id} (weighted split ${shares})`;
      targets.splice(targets.indexOf(picked), 1);
      targets.unshift(picked);
    }
  }
  const rest = targets.length === 0 ? entries : entries.filter((entry) => !targets.includes(entry));
  return { targets, rest };
}

/**
 * Decides the order in which to try the candidates for a payment. `random` returns numbers in [0, 1) (Math.random in
 * production, a seeded generator in tests); `nowMs` is the time the health figures are read at.
 */
export function decideRoute(input: {
  facts: PaymentFacts;
  candidates: readonly RoutingCandidate[];
  profile: RoutingProfile;
  health: RoutingHealth;
  random: () => number;
  nowMs: number;
}): RoutingDecision {
  const { facts, profile, health, random, nowMs } = input;
  const excluded: ExcludedCandidate[] = [];
  const eligible: Entry[] = [];
  for (const candidate of input.candidates) {
    const reason = ineligibility(candidate, facts);
    if (reason !== null) {
      excluded.push({ configurationId: candidate.configurationId, connector: candidate.connector, reason });
      continue;
    }
    const key = candidateKey(candidate);
    eligible.push({ candidate, key, circuit: health.breakers.state(key, nowMs), reason: '', score: 0, attempts: 0 });
  }
  if (eligible.length === 0) {
    return { ordered: [], excluded, strategy: profile.strategy, ruleId: null, explored: false, reason: `no eligible connector (${excluded.length} excluded)` };
  }

  const rule = matchingRule(profile.rules, facts);
  let order: Entry[];
  let explored = false;
  let prefix = '';
  if (rule !== undefined) {
    const { targets, rest } = orderByRule(rule, eligible, random);
    if (targets.length === 0) prefix = `rule ${rule.id} has no eligible configuration; `;
    order = targets;
    if (rule.fallback && rest.length > 0) {
      for (const entry of orderByStrategy(rest, profile.strategy, facts, health, nowMs)) {
        entry.reason = `fallback after rule ${rule.id}: ${entry.reason}`;
        order.push(entry);
      }
    }
  } else {
    order = orderByStrategy(eligible, profile.strategy, facts, health, nowMs);
    if (profile.strategy === 'success_rate') explored = explore(order, profile.explorationBps, random);
    else if (profile.strategy === 'lowest_cost' && order[0].score !== -Infinity) order[0].reason = `lowest ${order[0].reason}`;
  }

  const ordered: RoutedCandidate[] = [];
  const open: RoutedCandidate[] = [];
  for (const entry of order) {
    if (entry.circuit === 'open') open.push({ candidate: entry.candidate, reason: `circuit open; ${entry.reason}` });
    else ordered.push({ candidate: entry.candidate, reason: entry.circuit === 'half_open' ? `${entry.reason}; circuit half-open (probing)` : entry.reason });
  }
  for (const item of open) ordered.push(item);

  if (ordered.length === 0) {
    // Only a rule without fallback whose targets are all ineligible leaves nothing to try.
    return { ordered, excluded, strategy: profile.strategy, ruleId: rule?.id ?? null, explored: false, reason: `${prefix}the rule allows no fallback (${excluded.length} excluded)` };
  }
  const first = ordered[0];
  return {
    ordered,
    excluded,
    strategy: profile.strategy,
    ruleId: rule?.id ?? null,
    explored,
    reason: `${prefix}${first.candidate.connector} ${candidateKey(first.candidate)}: ${first.reason}`,
  };
}

/**
 * The success-rate strategy's exploration: with probability explorationBps / 10 000, a candidate other than the best
 * is moved first, so every connector keeps being measured. Candidates with too little data are explored first (they
 * are the ones to learn about); only candidates whose circuit is not open are explored. A primary chosen on too
 * little data of its own is also exploring, and is reported so. Returns whether the primary is explored.
 */
function explore(order: Entry[], explorationBps: number, random: () => number): boolean {
  const available = order.filter((entry) => entry.circuit !== 'open');
  if (explorationBps > 0 && available.length >= 2 && random() * basisPointsPerWhole < explorationBps) {
    const others = available.slice(1);
    const unmeasured = others.filter((entry) => entry.attempts < rateMinimumAttempts);
    const pool = unmeasured.length > 0 ? unmeasured : others;
    const chosen = pool.length === 1 ? pool[0] : pool[Math.min(pool.length - 1, Math.floor(random() * pool.length))];
    order.splice(order.indexOf(chosen), 1);
    order.unshift(chosen);
    chosen.reason = `exploration (${explorationBps / 100}% share); ${chosen.reason}`;
    return true;
  }
  const primary = available[0] ?? order[0];
  return primary.attempts < rateMinimumAttempts;
}
