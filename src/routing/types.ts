import type { ConnectorName, FeeTable } from '../connectors/configurations/validation.ts';

/**
 * The types of routing: what a payment looks like to the router, what it may route to, the merchant's routing
 * profile, and the decision. Pure data: nothing here knows about HTTP or SQL.
 */

export type RoutingStrategy = 'priority' | 'success_rate' | 'lowest_cost';

/** One connector a payment may be sent to: an enabled connector configuration, or the built-in test processor. */
export interface RoutingCandidate {
  /** The connector configuration id; null for the built-in test processor (an account with no configurations). */
  configurationId: string | null;
  connector: ConnectorName;
  /** Lower is tried first. */
  priority: number;
  /** Lower-case ISO 4217 codes; empty: any currency. */
  supportedCurrencies: readonly string[];
  /** Upper-case ISO 3166-1 alpha-2 codes; empty: any country. */
  supportedCountries: readonly string[];
  /** `card`, `paypal`. */
  paymentMethodTypes: readonly string[];
  /** `{"usd": {percent_bps, fixed}, "*": {...}}` (see validation.ts). */
  fees: FeeTable;
  /** Connector capability: can authorize now and capture later. */
  manualCapture: boolean;
  /** Connector capability: can split a card payment into installments; absent: cannot. */
  installments?: boolean;
}

/** What the router knows about a payment when it decides. */
export interface PaymentFacts {
  /** Minor units. */
  amount: number;
  /** Lower case. */
  currency: string;
  /** Card issuing country or billing country, upper case; null when unknown. */
  country: string | null;
  /** `visa`, `mastercard`, `amex`, ...; null for wallets. */
  cardBrand: string | null;
  /** First 6-8 digits of the card number; null for wallets. */
  bin: string | null;
  /** `card`, `paypal`. */
  paymentMethodType: string;
  /** The PaymentIntent's metadata. */
  metadata: Record<string, string>;
  manualCapture: boolean;
  /** The payment is made in installments (a plan at confirmation); absent: one payment. */
  installments?: boolean;
}

/** A candidate in the decided order, with why it is where it is (short human text, recorded on the attempt). */
export interface RoutedCandidate {
  candidate: RoutingCandidate;
  /** e.g. "rule r_eu_cards (weighted split 70/30)", "success rate 93.1% over 412 attempts", "priority 0". */
  reason: string;
}

export interface ExcludedCandidate {
  configurationId: string | null;
  connector: string;
  /** e.g. "does not support currency jpy". */
  reason: string;
}

export interface RoutingDecision {
  /** Eligible candidates in the order to try (first = primary), open circuits last. Empty when nothing is eligible. */
  ordered: RoutedCandidate[];
  /** Candidates that cannot take the payment at all, and why. */
  excluded: ExcludedCandidate[];
  strategy: RoutingStrategy;
  /** The rule that matched, if any. */
  ruleId: string | null;
  /** Whether the primary was chosen to measure it rather than because it looks best. */
  explored: boolean;
  /** One-line summary of why the first was chosen. */
  reason: string;
}

/**
 * A BIN range condition: either a prefix of the card number (`4242`), or an inclusive range of equal-length digit
 * strings (`from: 510000`, `to: 559999`) compared with the card's first digits of that length.
 */
export type BinRange = { prefix: string } | { from: string; to: string };

/**
 * The conditions of a rule; every condition given must hold (absent ones are not checked). A condition on a fact the
 * payment does not have (a card brand or BIN of a wallet, an unknown country) does not hold.
 */
export interface RoutingConditions {
  /** Lower-case ISO 4217 codes: the payment's currency is one of them. */
  currencies?: readonly string[];
  /** Minor units, inclusive. */
  amountGte?: number;
  /** Minor units, inclusive. */
  amountLte?: number;
  /** Upper-case ISO 3166-1 alpha-2 codes. */
  countries?: readonly string[];
  cardBrands?: readonly string[];
  /** The card's BIN is in one of the ranges. */
  binRanges?: readonly BinRange[];
  paymentMethodTypes?: readonly string[];
  /** Each key must be present in the PaymentIntent's metadata with exactly this value. */
  metadata?: Readonly<Record<string, string>>;
}

export interface SplitTarget {
  configurationId: string;
  /** A positive integer; shares are weight / sum of the eligible targets' weights. */
  weight: number;
}

/** What a matching rule does: an ordered preference, or a weighted volume split. */
export type RoutingAction =
  | { type: 'prefer'; configurationIds: readonly string[] }
  | { type: 'split'; split: readonly SplitTarget[] };

export interface RoutingRule {
  /** Merchant-chosen, unique within the profile; recorded on decisions. */
  id: string;
  conditions: RoutingConditions;
  action: RoutingAction;
  /** Whether the other eligible candidates follow the rule's targets (in strategy order). Default true. */
  fallback: boolean;
}

export interface FailoverSettings {
  enabled: boolean;
  /** Total time for all attempts of one payment, in milliseconds. */
  timeBudgetMs: number;
  /** Most connectors tried for one payment (the first included). */
  maxAttempts: number;
  /** Whether `do_not_honor` declines are retried on the next connector (off by default: usually a real decline). */
  retryDoNotHonor: boolean;
  /** Whether `insufficient_funds` declines are retried on the next connector (off by default: the balance is the card's). */
  retryInsufficientFunds: boolean;
}

/** How an account routes in one mode (`routing_profiles`; the defaults in profile.ts when there is no row). */
export interface RoutingProfile {
  strategy: RoutingStrategy;
  /** Share of payments sent to a candidate other than the best (success_rate strategy), in basis points. */
  explorationBps: number;
  /** In order: the first whose conditions all hold applies. */
  rules: RoutingRule[];
  failover: FailoverSettings;
}
