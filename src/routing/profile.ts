import { connectorConfigurationsPerAccountMax } from '../connectors/configurations/limits.ts';
import { paymentMethodTypes, validateCountries, type PaymentMethodType } from '../connectors/configurations/validation.ts';
import { metadataKeyLengthMax, metadataValueLengthMax } from '../platform/metadata.ts';
import { ApiError } from '../platform/errors.ts';
import { parseCurrency } from '../platform/money.ts';
import type { CardBrand } from '../payment-methods/card-numbers.ts';
import type { BinRange, FailoverSettings, RoutingAction, RoutingConditions, RoutingProfile, RoutingRule, RoutingStrategy } from './types.ts';

/**
 * Routing profiles: the defaults, the limits, the validation of an update (pure: the service checks separately that
 * the configurations a rule names exist), and the JSON form rules and failover settings take in the API and in the
 * `routing_profiles` row. Errors name the offending field in Stripe's bracket notation (`rules[2][action][split][0][weight]`).
 */

export const routingStrategies = ['priority', 'success_rate', 'lowest_cost'] as const satisfies readonly RoutingStrategy[];
export const routingActionTypes = ['prefer', 'split'] as const;
/** The card brands a rule may name: those Payrail derives from card numbers (Stripe's `card.brand` values). */
export const routingCardBrands = ['amex', 'diners', 'discover', 'jcb', 'mastercard', 'unionpay', 'visa', 'unknown'] as const satisfies readonly CardBrand[];

/** Rules a profile may have: each is checked in order on every payment. */
export const routingRulesMax = 50;
/** Longest rule id. */
export const ruleIdLengthMax = 64;
/** Currencies a condition may list: every ISO 4217 code once, with room to spare. */
export const conditionCurrenciesMax = 200;
/** Countries a condition may list: every ISO 3166-1 code once, with room to spare. */
export const conditionCountriesMax = 300;
/** BIN ranges a condition may list. */
export const conditionBinRangesMax = 100;
/** Metadata pairs a condition may require. */
export const conditionMetadataMax = 20;
/** Digits of a BIN prefix or range bound (BINs are 6 to 8 digits; shorter prefixes name whole ranges). */
export const binDigitsMax = 8;
/** Configurations a rule may target: no more than an account may have. */
export const ruleTargetsMax = connectorConfigurationsPerAccountMax;
/** Largest split weight. */
export const splitWeightMax = 10_000;
export const explorationBpsMax = 10_000;
/** Bounds of the failover time budget, in milliseconds. */
export const timeBudgetMsMin = 1_000;
export const timeBudgetMsMax = 60_000;
/** Bounds of the connectors tried for one payment. */
export const maxAttemptsMin = 1;
export const maxAttemptsMax = 5;

export const defaultFailover: Readonly<FailoverSettings> = Object.freeze({
  enabled: true,
  timeBudgetMs: 15_000,
  maxAttempts: 3,
  retryDoNotHonor: false,
  retryInsufficientFunds: false,
});

/**
 * The profile of an account and mode that has not stored one. Shared by every such account, so it is frozen, rules
 * included (typed mutable only because `RoutingProfile.rules` is): changing it by accident throws.
 */
export const defaultRoutingProfile: RoutingProfile = Object.freeze({
  strategy: 'success_rate',
  explorationBps: 500,
  rules: Object.freeze([]) as readonly RoutingRule[] as RoutingRule[],
  failover: defaultFailover,
});

// ---- JSON form (the API's, also stored in routing_profiles.rules and .failover) ----

export type BinRangeJson = { prefix: string; from: null; to: null } | { prefix: null; from: string; to: string };

export interface RoutingConditionsJson {
  currencies: string[] | null;
  amount_gte: number | null;
  amount_lte: number | null;
  countries: string[] | null;
  card_brands: string[] | null;
  bin_ranges: BinRangeJson[] | null;
  payment_method_types: string[] | null;
  metadata: Record<string, string> | null;
}

export type RoutingActionJson =
  | { type: 'prefer'; configurations: string[]; split: null }
  | { type: 'split'; configurations: null; split: { configuration: string; weight: number }[] };

export interface RoutingRuleJson {
  id: string;
  conditions: RoutingConditionsJson;
  action: RoutingActionJson;
  fallback: boolean;
}

export interface FailoverJson {
  enabled: boolean;
  time_budget_ms: number;
  max_attempts: number;
  retry_do_not_honor: boolean;
  retry_insufficient_funds: boolean;
}

/** A rule in its JSON form: every condition present, null when not set (as Stripe renders unset fields). */
export function routingRuleToJson(rule: RoutingRule): RoutingRuleJson {
  const conditions = rule.conditions;
  return {
    id: rule.id,
    conditions: {
      currencies: conditions.currencies ? [...conditions.currencies] : null,
      amount_gte: conditions.amountGte ?? null,
      amount_lte: conditions.amountLte ?? null,
      countries: conditions.countries ? [...conditions.countries] : null,
      card_brands: conditions.cardBrands ? [...conditions.cardBrands] : null,
      bin_ranges: conditions.binRanges ? conditions.binRanges.map((range) => ('prefix' in range ? { prefix: range.prefix, from: null, to: null } : { prefix: null, from: range.from, to: range.to })) : null,
      payment_method_types: conditions.paymentMethodTypes ? [...conditions.paymentMethodTypes] : null,
      metadata: conditions.metadata ? { ...conditions.metadata } : null,
    },
    action: rule.action.type === 'prefer'
      ? { type: 'prefer', configurations: [...rule.action.configurationIds], split: null }
      : { type: 'split', configurations: null, split: rule.action.split.map((target) => ({ configuration: target.configurationId, weight: target.weight })) },
    fallback: rule.fallback,
  };
}

/** A stored rule back in domain form (stored rules were validated before they were written). */
export function routingRuleFromJson(json: RoutingRuleJson): RoutingRule {
  const stored = json.conditions;
  const conditions: RoutingConditions = {};
  if (stored.currencies !== null) conditions.currencies = stored.currencies;
  if (stored.amount_gte !== null) conditions.amountGte = stored.amount_gte;
  if (stored.amount_lte !== null) conditions.amountLte = stored.amount_lte;
  if (stored.countries !== null) conditions.countries = stored.countries;
  if (stored.card_brands !== null) conditions.cardBrands = stored.card_brands;
  if (stored.bin_ranges !== null) conditions.binRanges = stored.bin_ranges.map((range): BinRange => (range.prefix !== null ? { prefix: range.prefix } : { from: range.from, to: range.to }));
  if (stored.payment_method_types !== null) conditions.paymentMethodTypes = stored.payment_method_types;
  if (stored.metadata !== null) conditions.metadata = stored.metadata;
  const action: RoutingAction = json.action.type === 'prefer'
    ? { type: 'prefer', configurationIds: json.action.configurations }
    : { type: 'split', split: json.action.split.map((target) => ({ configurationId: target.configuration, weight: target.weight })) };
  return { id: json.id, conditions, action, fallback: json.fallback };
}

export function failoverToJson(failover: FailoverSettings): FailoverJson {
  return {
    enabled: failover.enabled,
    time_budget_ms: failover.timeBudgetMs,
    max_attempts: failover.maxAttempts,
    retry_do_not_honor: failover.retryDoNotHonor,
    retry_insufficient_funds: failover.retryInsufficientFunds,
  };
}

/** Stored failover settings; a key missing from an older row takes its default. */
export function failoverFromJson(json: Partial<FailoverJson>): FailoverSettings {
  return {
    enabled: json.enabled ?? defaultFailover.enabled,
    timeBudgetMs: json.time_budget_ms ?? defaultFailover.timeBudgetMs,
    maxAttempts: json.max_attempts ?? defaultFailover.maxAttempts,
    retryDoNotHonor: json.retry_do_not_honor ?? defaultFailover.retryDoNotHonor,
    retryInsufficientFunds: json.retry_insufficient_funds ?? defaultFailover.retryInsufficientFunds,
  };
}

// ---- Updates ----

/** A rule as the API receives it (shapes and ranges already checked by the request schema; absent fields undefined). */
export interface RoutingRuleInput {
  id?: string;
  conditions?: {
    currencies?: string[];
    amount_gte?: number;
    amount_lte?: number;
    countries?: string[];
    card_brands?: string[];
    bin_ranges?: { prefix?: string; from?: string; to?: string }[];
    payment_method_types?: string[];
    metadata?: Record<string, string>;
  };
  action?: {
    type?: 'prefer' | 'split';
    configurations?: string[];
    split?: { configuration?: string; weight?: number }[];
  };
  fallback?: boolean;
}

/** An update of a routing profile; absent fields keep their value. Rules given replace the list; `null` clears it. */
export interface RoutingProfileUpdate {
  strategy?: RoutingStrategy;
  exploration_bps?: number;
  rules?: RoutingRuleInput[] | null;
  /** Keys given replace the stored ones; the others are kept. */
  failover?: {
    enabled?: boolean;
    time_budget_ms?: number;
    max_attempts?: number;
    retry_do_not_honor?: boolean;
    retry_insufficient_funds?: boolean;
  };
}

/** Which configuration ids the rules name, each with the parameter that names it, in parameter order. */
export function referencedConfigurations(rules: readonly RoutingRule[]): { id: string; param: string }[] {
  const references: { id: string; param: string }[] = [];
  rules.forEach((rule, index) => {
    const action = rule.action;
    if (action.type === 'prefer') action.configurationIds.forEach((id, position) => references.push({ id, param: `rules[${index}][action][configurations][${position}]` }));
    else action.split.forEach((target, position) => references.push({ id: target.configurationId, param: `rules[${index}][action][split][${position}][configuration]` }));
  });
  return references;
}

function invalid(param: string, message: string): ApiError {
  return new ApiError('invalid_value', `Invalid ${param}: ${message}`, { param });
}

function missingParam(param: string, why = ''): ApiError {
  return new ApiError('parameter_missing', `Missing required param: ${param}${why}.`, { param });
}

function nonEmpty<T>(list: readonly T[], param: string): void {
  if (list.length === 0) throw new ApiError('parameter_invalid_empty', `Invalid ${param}: list at least one value, or leave the condition out.`, { param });
}

function checkBound(value: string, param: string): void {
  if (!/^\d+$/.test(value) || value.length > binDigitsMax) throw invalid(param, `must be 1 to ${binDigitsMax} digits.`);
}

function validateBinRange(input: { prefix?: string; from?: string; to?: string }, param: string): BinRange {
  if (input.prefix !== undefined) {
    if (input.from !== undefined || input.to !== undefined) {
      throw new ApiError('parameters_exclusive', `A BIN range is either a prefix or from/to, not both (${param}).`, { param: `${param}[prefix]` });
    }
    checkBound(input.prefix, `${param}[prefix]`);
    return { prefix: input.prefix };
  }
  if (input.from === undefined) throw missingParam(`${param}[from]`, ' (or give a prefix)');
  if (input.to === undefined) throw missingParam(`${param}[to]`);
  checkBound(input.from, `${param}[from]`);
  checkBound(input.to, `${param}[to]`);
  if (input.from.length !== input.to.length) throw invalid(`${param}[to]`, 'from and to must have the same number of digits.');
  if (input.from > input.to) throw invalid(`${param}[to]`, 'must not be below from.');
  return { from: input.from, to: input.to };
}

function validateConditions(input: NonNullable<RoutingRuleInput['conditions']>, param: string): RoutingConditions {
  const conditions: RoutingConditions = {};
  if (input.currencies !== undefined) {
    nonEmpty(input.currencies, `${param}[currencies]`);
    conditions.currencies = [...new Set(input.currencies.map((currency, index) => parseCurrency(currency, `${param}[currencies][${index}]`)))];
  }
  if (input.amount_gte !== undefined) conditions.amountGte = input.amount_gte;
  if (input.amount_lte !== undefined) {
    if (input.amount_gte !== undefined && input.amount_lte < input.amount_gte) throw invalid(`${param}[amount_lte]`, 'must not be below amount_gte.');
    conditions.amountLte = input.amount_lte;
  }
  if (input.countries !== undefined) {
    nonEmpty(input.countries, `${param}[countries]`);
    conditions.countries = validateCountries(input.countries, `${param}[countries]`);
  }
  if (input.card_brands !== undefined) {
    nonEmpty(input.card_brands, `${param}[card_brands]`);
    input.card_brands.forEach((brand, index) => {
      if (!(routingCardBrands as readonly string[]).includes(brand)) throw invalid(`${param}[card_brands][${index}]`, `must be one of ${routingCardBrands.join(', ')}.`);
    });
    conditions.cardBrands = [...new Set(input.card_brands)];
  }
  if (input.bin_ranges !== undefined) {
    nonEmpty(input.bin_ranges, `${param}[bin_ranges]`);
    if (input.bin_ranges.length > conditionBinRangesMax) throw invalid(`${param}[bin_ranges]`, `at most ${conditionBinRangesMax} ranges are allowed.`);
    conditions.binRanges = input.bin_ranges.map((range, index) => validateBinRange(range, `${param}[bin_ranges][${index}]`));
  }
  if (input.payment_method_types !== undefined) {
    nonEmpty(input.payment_method_types, `${param}[payment_method_types]`);
    input.payment_method_types.forEach((type, index) => {
      if (!(paymentMethodTypes as readonly string[]).includes(type)) throw invalid(`${param}[payment_method_types][${index}]`, `must be one of ${paymentMethodTypes.join(', ')}.`);
    });
    conditions.paymentMethodTypes = [...new Set(input.payment_method_types as PaymentMethodType[])];
  }
  if (input.metadata !== undefined) {
    const entries = Object.entries(input.metadata);
    nonEmpty(entries, `${param}[metadata]`);
    if (entries.length > conditionMetadataMax) throw invalid(`${param}[metadata]`, `at most ${conditionMetadataMax} pairs are allowed.`);
    const metadata: Record<string, string> = {};
    for (const [key, value] of entries) {
      const name = `${param}[metadata][${key}]`;
      if (key.length === 0 || key.length > metadataKeyLengthMax) throw invalid(name, `keys must be 1 to ${metadataKeyLengthMax} characters long.`);
      // Stripe metadata has no empty values (an empty value unsets the key), so a condition on one could never hold.
      if (value.length === 0) throw new ApiError('parameter_invalid_empty', `Invalid ${name}: metadata values are never empty, so this condition could never hold.`, { param: name });
      if (value.length > metadataValueLengthMax) throw invalid(name, `values can be up to ${metadataValueLengthMax} characters long.`);
      metadata[key] = value;
    }
    conditions.metadata = metadata;
  }
  return conditions;
}

function validateAction(input: RoutingRuleInput['action'], param: string): RoutingAction {
  if (input === undefined) throw missingParam(param);
  if (input.type === undefined) throw missingParam(`${param}[type]`);
  if (input.type === 'prefer') {
    if (input.split !== undefined) throw new ApiError('parameters_exclusive', `${param}[split] is for actions of type split; a prefer action lists ${param}[configurations].`, { param: `${param}[split]` });
    if (input.configurations === undefined) throw missingParam(`${param}[configurations]`, ' (the configurations to prefer, in order)');
    nonEmpty(input.configurations, `${param}[configurations]`);
    if (input.configurations.length > ruleTargetsMax) throw invalid(`${param}[configurations]`, `at most ${ruleTargetsMax} configurations are allowed.`);
    const seen = new Set<string>();
    input.configurations.forEach((id, index) => {
      if (seen.has(id)) throw invalid(`${param}[configurations][${index}]`, `${id} is listed twice.`);
      seen.add(id);
    });
    return { type: 'prefer', configurationIds: [...input.configurations] };
  }
  if (input.configurations !== undefined) throw new ApiError('parameters_exclusive', `${param}[configurations] is for actions of type prefer; a split action lists ${param}[split].`, { param: `${param}[configurations]` });
  if (input.split === undefined) throw missingParam(`${param}[split]`, ' (the configurations and their weights)');
  nonEmpty(input.split, `${param}[split]`);
  if (input.split.length > ruleTargetsMax) throw invalid(`${param}[split]`, `at most ${ruleTargetsMax} configurations are allowed.`);
  const seen = new Set<string>();
  const split = input.split.map((target, index) => {
    const targetParam = `${param}[split][${index}]`;
    if (target.configuration === undefined) throw missingParam(`${targetParam}[configuration]`);
    if (target.weight === undefined) throw missingParam(`${targetParam}[weight]`);
    if (!Number.isSafeInteger(target.weight) || target.weight < 1 || target.weight > splitWeightMax) throw invalid(`${targetParam}[weight]`, `must be an integer from 1 to ${splitWeightMax}.`);
    if (seen.has(target.configuration)) throw invalid(`${targetParam}[configuration]`, `${target.configuration} is listed twice.`);
    seen.add(target.configuration);
    return { configurationId: target.configuration, weight: target.weight };
  });
  return { type: 'split', split };
}

/** Checks rules as given to the API (ids unique, actions well formed, conditions valid) and returns them in domain form. */
export function validateRoutingRules(inputs: readonly RoutingRuleInput[]): RoutingRule[] {
  if (inputs.length > routingRulesMax) throw invalid('rules', `at most ${routingRulesMax} rules are allowed.`);
  const ids = new Set<string>();
  return inputs.map((input, index) => {
    const param = `rules[${index}]`;
    if (input.id === undefined) throw missingParam(`${param}[id]`);
    if (!/^[A-Za-z0-9_-]+$/.test(input.id) || input.id.length > ruleIdLengthMax) {
      throw invalid(`${param}[id]`, `rule ids are 1 to ${ruleIdLengthMax} letters, digits, '_' or '-'.`);
    }
    if (ids.has(input.id)) throw invalid(`${param}[id]`, `another rule already has the id ${input.id}; rule ids are unique.`);
    ids.add(input.id);
    return {
      id: input.id,
      conditions: validateConditions(input.conditions ?? {}, `${param}[conditions]`),
      action: validateAction(input.action, `${param}[action]`),
      fallback: input.fallback ?? true,
    };
  });
}

/** Checks the scalar fields of an update (the request schema checks their ranges too; these hold without it). */
function checkScalars(update: RoutingProfileUpdate): void {
  if (update.strategy !== undefined && !(routingStrategies as readonly string[]).includes(update.strategy)) throw invalid('strategy', `must be one of ${routingStrategies.join(', ')}.`);
  const bps = update.exploration_bps;
  if (bps !== undefined && (!Number.isSafeInteger(bps) || bps < 0 || bps > explorationBpsMax)) throw invalid('exploration_bps', `must be an integer from 0 to ${explorationBpsMax}.`);
  const failover = update.failover;
  const budget = failover?.time_budget_ms;
  if (budget !== undefined && (!Number.isSafeInteger(budget) || budget < timeBudgetMsMin || budget > timeBudgetMsMax)) {
    throw invalid('failover[time_budget_ms]', `must be an integer from ${timeBudgetMsMin} to ${timeBudgetMsMax} (milliseconds).`);
  }
  const attempts = failover?.max_attempts;
  if (attempts !== undefined && (!Number.isSafeInteger(attempts) || attempts < maxAttemptsMin || attempts > maxAttemptsMax)) {
    throw invalid('failover[max_attempts]', `must be an integer from ${maxAttemptsMin} to ${maxAttemptsMax}.`);
  }
}

/** Checks an update without the database: everything but whether the named configurations exist. */
export function checkRoutingProfileUpdate(update: RoutingProfileUpdate): void {
  checkScalars(update);
  if (update.rules) validateRoutingRules(update.rules);
}

/** The profile after an update (pure). Throws the first validation error, naming its parameter. */
export function applyRoutingProfileUpdate(current: RoutingProfile, update: RoutingProfileUpdate): RoutingProfile {
  checkScalars(update);
  const failover = update.failover;
  return {
    strategy: update.strategy ?? current.strategy,
    explorationBps: update.exploration_bps ?? current.explorationBps,
    rules: update.rules === undefined ? current.rules : update.rules === null ? [] : validateRoutingRules(update.rules),
    failover: {
      enabled: failover?.enabled ?? current.failover.enabled,
      timeBudgetMs: failover?.time_budget_ms ?? current.failover.timeBudgetMs,
      maxAttempts: failover?.max_attempts ?? current.failover.maxAttempts,
      retryDoNotHonor: failover?.retry_do_not_honor ?? current.failover.retryDoNotHonor,
      retryInsufficientFunds: failover?.retry_insufficient_funds ?? current.failover.retryInsufficientFunds,
    },
  };
}
