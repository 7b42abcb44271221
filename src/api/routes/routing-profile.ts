import { paymentMethodTypes } from '../../connectors/configurations/validation.ts';
import { ApiError } from '../../platform/errors.ts';
import { maximumAmount } from '../../platform/money.ts';
import {
  binDigitsMax, checkRoutingProfileUpdate, conditionBinRangesMax, conditionCountriesMax, conditionCurrenciesMax, conditionMetadataMax, explorationBpsMax,
  maxAttemptsMax, maxAttemptsMin, routingActionTypes, routingCardBrands, routingRulesMax, routingStrategies, ruleIdLengthMax, ruleTargetsMax, splitWeightMax,
  timeBudgetMsMax, timeBudgetMsMin,
} from '../../routing/profile.ts';
import { retrieveRoutingProfile, updateRoutingProfile } from '../../routing/profile-service.ts';
import { renderRoutingProfile } from '../../routing/render.ts';
import { defineRoute, presentObject } from '../route.ts';
import { array, boolean, childParam, emptyable, enumeration, integer, object, required, string, type Schema } from '../schema.ts';
import { noParameters } from './common.ts';

/**
 * The routing profile: a Payrail extension under /v1/payrail/, since Stripe has no such resource. How the account
 * routes payments across its connector configurations in the key's mode: the strategy, the exploration share, ordered
 * rules (conditions, then a preference or a weighted split) and failover settings. One per account and mode; the
 * defaults apply until the first update.
 */

/** Longest configuration id accepted in a rule (ids are far shorter; the bound only stops abuse). */
const configurationIdLengthMax = 255;
/** Longest metadata key or value accepted by the schema; the routing validation applies Stripe's metadata limits. */
const metadataTextLengthMax = 500;

/** `metadata[key]=value` pairs a payment's metadata must contain: an object whose keys are data. */
function metadataConditions(): Schema<Record<string, string> | undefined> {
  const description = `Key-value pairs the PaymentIntent's metadata must all contain (at most ${conditionMetadataMax}).`;
  return {
    description,
    parse(value, param) {
      if (value === undefined) return undefined;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError('invalid_value', `Invalid ${param}: expected an object of metadata keys and values.`, { param });
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length > conditionMetadataMax) throw new ApiError('invalid_value', `Invalid ${param}: at most ${conditionMetadataMax} pairs are allowed.`, { param });
      const pairs: Record<string, string> = {};
      for (const [key, raw] of entries) {
        const name = childParam(param, key);
        if (typeof raw !== 'string' || raw.length > metadataTextLengthMax) throw new ApiError('invalid_value', `Invalid ${name}: expected a string of at most ${metadataTextLengthMax} characters.`, { param: name });
        pairs[key] = raw;
      }
      return pairs;
    },
    toJsonSchema: () => ({ type: 'object', additionalProperties: { type: 'string', maxLength: metadataTextLengthMax }, maxProperties: conditionMetadataMax, description }),
  };
}

const binDigits = string({ maxLength: binDigitsMax, pattern: /^\d+$/, patternMessage: `Invalid BIN: 1 to ${binDigitsMax} digits.` });

const conditionsParameter = object({
  currencies: array(string({ maxLength: 3 }), { maxItems: conditionCurrenciesMax, description: 'The payment\'s currency is one of these ISO 4217 codes.' }),
  amount_gte: integer({ minimum: 0, maximum: maximumAmount, description: 'The amount (minor units) is at least this.' }),
  amount_lte: integer({ minimum: 0, maximum: maximumAmount, description: 'The amount (minor units) is at most this.' }),
  countries: array(string({ maxLength: 2 }), { maxItems: conditionCountriesMax, description: 'The card\'s issuing country (or the billing country) is one of these ISO 3166-1 alpha-2 codes.' }),
  card_brands: array(enumeration(routingCardBrands), { maxItems: routingCardBrands.length, description: 'The card brand is one of these.' }),
  bin_ranges: array(object({
    prefix: binDigits,
    from: binDigits,
    to: binDigits,
  }), { maxItems: conditionBinRangesMax, description: 'The card number starts with one of these: a prefix, or from/to bounds of equal length (inclusive).' }),
  payment_method_types: array(enumeration(paymentMethodTypes), { maxItems: paymentMethodTypes.length, description: 'The payment method type is one of these.' }),
  metadata: metadataConditions(),
}, { description: 'All conditions given must hold; a rule without conditions matches every payment.' });

const actionParameter = object({
  type: required(enumeration(routingActionTypes, { description: 'prefer: try the configurations in the order given; split: pick the first by weight.' })),
  configurations: array(string({ maxLength: configurationIdLengthMax }), { maxItems: ruleTargetsMax, description: 'prefer only: connector configuration ids, in order.' }),
  split: array(object({
    configuration: required(string({ maxLength: configurationIdLengthMax, description: 'A connector configuration id.' })),
    weight: required(integer({ minimum: 1, maximum: splitWeightMax, description: 'Share of the payments this configuration takes first: weight / sum of the eligible weights.' })),
  }, { required: ['configuration', 'weight'] }), { maxItems: ruleTargetsMax, description: 'split only: configurations and their weights.' }),
}, { required: ['type'] });

const ruleParameter = object({
  id: required(string({ maxLength: ruleIdLengthMax, description: 'Unique within the profile: letters, digits, _ and -. Recorded on the decisions the rule makes.' })),
  conditions: conditionsParameter,
  action: required(actionParameter),
  fallback: boolean({ description: 'Whether the other eligible configurations follow the rule\'s (default true).' }),
}, { required: ['id', 'action'] });

const updateParameters = object({
  strategy: enumeration(routingStrategies, { description: 'How payments no rule matches are routed: priority, success_rate or lowest_cost.' }),
  exploration_bps: integer({ minimum: 0, maximum: explorationBpsMax, description: 'success_rate only: share of payments sent to a connector other than the best, to keep measuring it (basis points).' }),
  rules: emptyable(array(ruleParameter, { maxItems: routingRulesMax, description: 'The rules, in order (the first that matches applies). Replaces the stored list; \'\' clears it.' })),
  failover: object({
    enabled: boolean({ description: 'Whether a payment moves on to the next connector after a timeout, 5xx, open circuit or soft decline.' }),
    time_budget_ms: integer({ minimum: timeBudgetMsMin, maximum: timeBudgetMsMax, description: 'Total time for all attempts of a payment, in milliseconds.' }),
    max_attempts: integer({ minimum: maxAttemptsMin, maximum: maxAttemptsMax, description: 'Most connectors tried for one payment.' }),
    retry_do_not_honor: boolean({ description: 'Whether do_not_honor declines are retried on the next connector (default false).' }),
    retry_insufficient_funds: boolean({ description: 'Whether insufficient_funds declines are retried on the next connector (default false).' }),
  }, { description: 'Keys given replace the stored ones; the others are kept.' }),
});

export const routingProfileRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/payrail/routing_profile', operationId: 'GetPayrailRoutingProfile',
    summary: 'Retrieve the routing profile of this account and mode (Payrail extension); the defaults until it is first updated',
    parameters: noParameters,
    response: { kind: 'object', type: 'payrail_routing_profile' },
    handle: (context) => retrieveRoutingProfile(context.deps.db, context.scope),
    present: (view, context) => presentObject(renderRoutingProfile(view, context.scope)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/payrail/routing_profile', operationId: 'PostPayrailRoutingProfile',
    summary: 'Update the routing profile of this account and mode (Payrail extension): strategy, exploration share, rules, failover',
    parameters: updateParameters,
    response: { kind: 'object', type: 'payrail_routing_profile' },
    precheck: (params) => checkRoutingProfileUpdate(params),
    handle: async (context, params) => {
      const profile = await updateRoutingProfile(context.work, context.deps, context.scope, params);
      // Routing in this process uses the new profile at once (other processes within the routing cache's few seconds).
      context.deps.routing.forget(context.scope);
      return profile;
    },
    present: (view, context) => presentObject(renderRoutingProfile(view, context.scope)),
  }),
];
