import { renderAccount } from '../../accounts/render.ts';
import { payoutIntervals, weekdays } from '../../accounts/settings.ts';
import { checkAccountSettingsUpdate, payoutDelayDaysMax, retrieveAccount, settlementCurrenciesMax, updateAccountSettings, type AccountSettingsUpdate, type AccountView } from '../../accounts/settings-service.ts';
import { ApiError } from '../../platform/errors.ts';
import { accountTarget } from '../../connect/access.ts';
import { retrieveConnectedAccount, updateConnectedAccount } from '../../connect/accounts.ts';
import { connectFields, toConnectInput } from './connected-accounts.ts';
import { defineRoute, presentObject, type RouteContext } from '../route.ts';
import { array, boolean, childParam, emptyable, enumeration, integer, object, required, string, type JsonSchema, type ObjectOf, type Schema } from '../schema.ts';
import { noParameters } from './common.ts';

/** Payment-method types a pricing override may name, and currencies per type: generous, but bounded. */
const pricingTypesMax = 20;
const pricingCurrenciesPerTypeMax = 200;

/**
 * An object whose keys are data (payment-method types, currencies) rather than parameter names: each key must
 * match `keyPattern`, each value `value`. Errors name the key in bracket notation like any other parameter.
 */
function recordOf<T>(value: Schema<T | undefined>, options: { keyPattern: RegExp; keyDescription: string; maxKeys: number }): Schema<Record<string, T> | undefined> {
  return {
    parse(input, param) {
      if (input === undefined) return undefined;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ApiError('invalid_value', `Invalid ${param}: expected an object`, { param });
      const entries = Object.entries(input as Record<string, unknown>);
      if (entries.length > options.maxKeys) throw new ApiError('invalid_value', `Invalid ${param}: at most ${options.maxKeys} keys are allowed`, { param });
      const result: Record<string, T> = {};
      for (const [key, raw] of entries) {
        const name = childParam(param, key);
        if (!options.keyPattern.test(key)) throw new ApiError('invalid_value', `Invalid ${name}: keys must be ${options.keyDescription}`, { param: name });
        const parsed = value.parse(raw, name);
        if (parsed !== undefined) result[key] = parsed;
      }
      return result;
    },
    toJsonSchema: (): JsonSchema => ({ type: 'object', propertyNames: { pattern: options.keyPattern.source }, additionalProperties: value.toJsonSchema(), maxProperties: options.maxKeys }),
  };
}

/** Stripe's `delay_days`: a number of days or the string `minimum`. */
function delayDays(): Schema<number | 'minimum' | undefined> {
  const days = integer({ minimum: 0, maximum: payoutDelayDaysMax });
  return {
    parse(value, param) {
      if (value === 'minimum') return 'minimum';
      return days.parse(value, param);
    },
    toJsonSchema: () => ({ anyOf: [days.toJsonSchema(), { type: 'string', enum: ['minimum'] }], description: `Days charge funds stay pending (0 to ${payoutDelayDaysMax}), or "minimum" for the platform standard.` }),
  };
}

const priceRule = object({
  percent_bps: integer({ description: 'Percentage in basis points (290 is 2.9%).' }),
  fixed: integer({ description: 'Fixed amount in the settlement currency minor unit.' }),
});

const pricingSchema = object({
  rules: recordOf(recordOf(priceRule, { keyPattern: /^(\*|[a-z]{3})$/, keyDescription: 'lower-case ISO currency codes or "*"', maxKeys: pricingCurrenciesPerTypeMax }), {
    keyPattern: /^[a-z][a-z_]{0,39}$/, keyDescription: 'payment method types such as card', maxKeys: pricingTypesMax,
  }),
  international_bps: integer({ description: 'Surcharge for cards issued outside the account country, in basis points.' }),
  currency_conversion_bps: integer({ description: 'Surcharge for charges converted to the settlement currency, in basis points.' }),
}, { description: 'Pricing overrides, merged rule by rule over the current ones; send an empty string to clear them all.' });

/** A CSS hex colour, as Stripe's branding colours are given. */
const hexColor = string({ maxLength: 7, pattern: /^#[0-9A-Fa-f]{6}$/, patternMessage: 'Invalid color: must be a CSS hex color such as #0a2540', description: 'A CSS hex color (#rrggbb).' });

/** A file id (`file_...`), of the caller's account: checked against its files when the update runs. */
function fileId(description: string) {
  return string({ maxLength: 255, pattern: /^file_[0-9A-Za-z]+$/, patternMessage: 'Invalid file id: the id of a file uploaded with POST /v1/files (file_...)', description });
}

const accountUpdateParameters = object({
  default_currency: string({ maxLength: 3, description: 'The settlement currency (lower-case ISO code).' }),
  settings: object({
    branding: object({
      icon: emptyable(fileId('An image of purpose business_icon (a square icon), shown on the payment pages when there is no logo.')),
      logo: emptyable(fileId('An image of purpose business_logo, shown at the top of the payment pages.')),
      primary_color: emptyable(hexColor),
      secondary_color: emptyable(hexColor),
    }, { description: "The account's customer-facing pages (hosted and embedded Checkout, Payment Links): its colours, icon and logo (ids of its files, POST /v1/files); '' goes back to Payrail's colours or removes the image." }),
    payouts: object({
      debit_negative_balances: boolean(),
      schedule: object({
        interval: enumeration(payoutIntervals),
        delay_days: delayDays(),
        weekly_anchor: enumeration(weekdays),
        monthly_anchor: integer({ minimum: 1, maximum: 31 }),
      }),
    }),
  }),
  payrail_settings: object({
    country: string({ minLength: 2, maxLength: 2, pattern: /^[A-Za-z]{2}$/, patternMessage: 'Invalid country: must be an ISO 3166-1 alpha-2 code', description: 'ISO 3166-1 alpha-2 country: cards issued elsewhere are international.' }),
    settlement_currencies: emptyable(array(string({ maxLength: 3 }), { maxItems: settlementCurrenciesMax, description: 'Currencies settled without conversion besides the default currency.' })),
    pricing: emptyable(pricingSchema),
    transaction_risk_analysis: emptyable(object({
      fraud_rate_bps: required(integer({ minimum: 0, maximum: 10_000, description: "The acquirer's fraud rate for remote card payments, in basis points: up to 1 (0.01%) exempts payments up to EUR 500, up to 6 up to EUR 250, up to 13 up to EUR 100; above, none." })),
    }, { description: "Strong customer authentication's transaction risk analysis exemption (PSD2 RTS art. 18); '' turns it off (the default)." })),
  }, { description: 'Payrail extension: country, settlement currencies, pricing overrides and the transaction risk analysis exemption (not part of the Stripe API).' }),
});

type AccountUpdateParameters = ObjectOf<typeof accountUpdateParameters.properties>;

/** The route parameters as the service's update (currencies are case-insensitive on input, as at Stripe). */
function toUpdate(params: AccountUpdateParameters): AccountSettingsUpdate {
  const payouts = params.settings?.payouts;
  const branding = params.settings?.branding;
  const schedule = payouts?.schedule;
  const payrail = params.payrail_settings;
  return {
    default_currency: params.default_currency?.toLowerCase(),
    branding: branding && { primary_color: branding.primary_color, secondary_color: branding.secondary_color, icon: branding.icon, logo: branding.logo },
    payouts: payouts && {
      debit_negative_balances: payouts.debit_negative_balances,
      schedule: schedule && { interval: schedule.interval, delay_days: schedule.delay_days, weekly_anchor: schedule.weekly_anchor, monthly_anchor: schedule.monthly_anchor },
    },
    payrail: payrail && {
      country: payrail.country,
      settlement_currencies: payrail.settlement_currencies === undefined || payrail.settlement_currencies === null ? payrail.settlement_currencies : payrail.settlement_currencies.map((currency) => currency.toLowerCase()),
      transaction_risk_analysis: payrail.transaction_risk_analysis === undefined || payrail.transaction_risk_analysis === null
        ? payrail.transaction_risk_analysis : { fraud_rate_bps: payrail.transaction_risk_analysis.fraud_rate_bps },
      pricing: payrail.pricing === undefined || payrail.pricing === null ? payrail.pricing : {
        rules: payrail.pricing.rules,
        international_bps: payrail.pricing.international_bps,
        currency_conversion_bps: payrail.pricing.currency_conversion_bps,
      },
    },
  };
}

function presentAccount(view: AccountView | { rendered: Record<string, unknown> }, context: RouteContext) {
  if ('rendered' in view) return presentObject(view.rendered);
  return presentObject(renderAccount(view.account, view.settings, context.deps.pricing));
}

/** The Connect fields of an update; only a connected account takes them (settings and default_currency are shared). */
const { default_currency: _sharedCurrency, settings: _sharedSettings, ...connectOnlyFields } = connectFields;

/**
 * The account a path (or GET /v1/account) names, rendered: a connected account (of the caller's platform, or the
 * caller itself acting through Stripe-Account) as Connect renders it, otherwise the caller's own account.
 */
async function retrieveTarget(context: RouteContext, accountId: string) {
  const target = await accountTarget(context.deps.db, context.scope, accountId);
  if (target.connected) return retrieveConnectedAccount(context.deps, target.connected);
  return retrieveAccount(context.deps.db, context.scope, accountId);
}

export const accountRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/account', operationId: 'GetAccount',
    summary: "Retrieve the caller's account (with the Payrail extension payrail_settings: country, settlement currencies, pricing overrides and effective pricing)",
    parameters: noParameters,
    response: { kind: 'object', type: 'account' },
    handle: (context) => retrieveTarget(context, context.scope.accountId),
    present: presentAccount,
  }),
  defineRoute({
    method: 'GET', path: '/v1/accounts/:account', operationId: 'GetAccountsAccount', summary: "Retrieve the caller's own account, or one of its connected accounts, by id (any other id is refused with account_invalid)",
    parameters: noParameters,
    response: { kind: 'object', type: 'account' },
    handle: (context) => retrieveTarget(context, context.pathParams.account),
    present: presentAccount,
  }),
  defineRoute({
    method: 'POST', path: '/v1/accounts/:account', operationId: 'PostAccountsAccount',
    summary: "Update the caller's account, or a connected account (its Connect fields: business details, individual, company, tos_acceptance, capabilities, metadata): default_currency, settings[branding] (icon, logo, primary_color, secondary_color), settings[payouts] (schedule, debit_negative_balances) and the Payrail extension payrail_settings (country, settlement_currencies, pricing)",
    parameters: object({ ...accountUpdateParameters.properties, ...connectOnlyFields }),
    response: { kind: 'object', type: 'account' },
    precheck: (params) => checkAccountSettingsUpdate(toUpdate(params)),
    handle: async (context, params) => {
      const target = await accountTarget(context.deps.db, context.scope, context.pathParams.account);
      if (target.connected) {
        if (params.payrail_settings !== undefined) {
          throw new ApiError('invalid_value', "payrail_settings are the account's own: a platform cannot set them on a connected account.", { param: 'payrail_settings' });
        }
        const update = toUpdate(params);
        return updateConnectedAccount(context.work, context.deps, context.scope, context.pathParams.account, {
          ...toConnectInput(params),
          default_currency: update.default_currency,
          settings: { branding: update.branding, payouts: update.payouts },
        });
      }
      const connectOnly = Object.keys(connectOnlyFields).find((name) => (params as Record<string, unknown>)[name] !== undefined);
      if (connectOnly !== undefined) {
        throw new ApiError('invalid_value', `${connectOnly} can only be set on a connected account (POST /v1/accounts/:account by its platform).`, { param: connectOnly });
      }
      return updateAccountSettings(context.work, context.deps, context.scope, context.pathParams.account, toUpdate(params));
    },
    present: presentAccount,
  }),
];
