import {
  createConnectedAccount, deleteConnectedAccountOf, listConnectedAccountPage, rejectConnectedAccount, rejectReasons,
  type CreateConnectedAccountInput, type UpdateConnectedAccountInput,
} from '../../connect/accounts.ts';
import { renderDeletedAccount } from '../../connect/render.ts';
import { businessTypes, companyStructures } from '../../connect/types.ts';
import { accountHolderTypes } from '../../external-accounts/validation.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { boolean, email, enumeration, integer, metadata, object, required, string, url, type ObjectOf } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';

// Stripe Connect's account endpoints that only a platform has: create, list, delete, reject. Retrieve and update share
// `/v1/accounts/:account` with an account's own (accounts.ts), which hands connected accounts to the same services.

const address = object({
  line1: string({ maxLength: 200 }),
  line2: string({ maxLength: 200 }),
  city: string({ maxLength: 100 }),
  state: string({ maxLength: 100 }),
  postal_code: string({ maxLength: 20 }),
  country: string({ minLength: 2, maxLength: 2, pattern: /^[A-Za-z]{2}$/, patternMessage: 'Invalid country: must be an ISO 3166-1 alpha-2 code' }),
});

const dob = object({
  day: required(integer({ minimum: 1, maximum: 31 })),
  month: required(integer({ minimum: 1, maximum: 12 })),
  year: required(integer({ minimum: 1900, maximum: 2100 })),
});

const digits = (maxLength: number, description: string) => string({ maxLength, pattern: /^[0-9A-Za-z-]+$/, patternMessage: 'Invalid value: digits and letters only', description });

/** The Connect fields both creation and update take. */
export const connectFields = {
  email: email(),
  business_type: enumeration(businessTypes),
  business_profile: object({
    mcc: string({ maxLength: 4, pattern: /^\d{4}$/, patternMessage: 'Invalid mcc: a four-digit merchant category code' }),
    name: string({ maxLength: 200 }),
    product_description: string({ maxLength: 5000 }),
    support_email: email(),
    support_phone: string({ maxLength: 40 }),
    support_url: url(),
    url: url(),
  }),
  individual: object({
    first_name: string({ maxLength: 100 }),
    last_name: string({ maxLength: 100 }),
    email: email(),
    phone: string({ maxLength: 40 }),
    dob,
    address,
    id_number: digits(40, "The person's government id number (the full SSN in the US): stored encrypted, shown only as id_number_provided."),
    ssn_last_4: string({ minLength: 4, maxLength: 4, pattern: /^\d{4}$/, patternMessage: 'Invalid ssn_last_4: four digits' }),
  }, { description: 'The representative of an individual account (business_type=individual).' }),
  company: object({
    name: string({ maxLength: 200 }),
    phone: string({ maxLength: 40 }),
    address,
    structure: enumeration(companyStructures),
    tax_id: digits(40, "The company's tax id: stored encrypted, shown only as tax_id_provided."),
    directors_provided: boolean(),
    executives_provided: boolean(),
    owners_provided: boolean(),
  }, { description: 'The business of a company, non-profit or government entity account.' }),
  tos_acceptance: object({
    date: integer({ minimum: 0, maximum: 253_402_300_799 }),
    ip: string({ maxLength: 45, pattern: /^[0-9A-Fa-f:.]+$/, patternMessage: 'Invalid ip: an IPv4 or IPv6 address' }),
    user_agent: string({ maxLength: 5000 }),
    service_agreement: enumeration(['full', 'recipient']),
  }),
  capabilities: object({
    card_payments: object({ requested: boolean() }),
    transfers: object({ requested: boolean() }),
  }, { description: 'The capabilities to request (or, with requested=false, to give up): card_payments needs transfers.' }),
  metadata: metadata(),
  default_currency: string({ minLength: 3, maxLength: 3, description: "The account's settlement currency (lower-case ISO code); by default its country's." }),
  settings: object({
    payouts: object({
      debit_negative_balances: boolean(),
      schedule: object({
        interval: enumeration(['manual', 'daily', 'weekly', 'monthly']),
        delay_days: integer({ minimum: 0, maximum: 365 }),
        weekly_anchor: enumeration(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']),
        monthly_anchor: integer({ minimum: 1, maximum: 31 }),
      }),
    }),
  }),
};

const createParameters = object({
  ...connectFields,
  type: enumeration(['custom', 'express', 'standard'], { description: 'The legacy account type; or give controller properties instead.' }),
  controller: object({
    fees: object({ payer: enumeration(['account', 'application']) }),
    losses: object({ payments: enumeration(['application', 'stripe']) }),
    requirement_collection: enumeration(['application', 'stripe']),
    stripe_dashboard: object({ type: enumeration(['express', 'full', 'none']) }),
  }),
  country: string({ minLength: 2, maxLength: 2, pattern: /^[A-Za-z]{2}$/, patternMessage: 'Invalid country: must be an ISO 3166-1 alpha-2 code', description: "The account's country (default: the platform's)." }),
  external_account: object({
    object: required(enumeration(['bank_account'])),
    country: required(string({ minLength: 2, maxLength: 2 })),
    currency: required(string({ minLength: 3, maxLength: 3 })),
    account_number: required(string({ maxLength: 34 })),
    routing_number: string({ maxLength: 20 }),
    account_holder_name: string({ maxLength: 200 }),
    account_holder_type: enumeration(accountHolderTypes),
  }, { description: 'A bank account to pay out to (see POST /v1/accounts/:account/external_accounts).' }),
});

type ConnectParams = ObjectOf<typeof connectFields>;

/** The route's Connect-only parameters as the service's input (settings and default currency are added by the caller). */
export function toConnectInput(params: Partial<Omit<ConnectParams, 'settings' | 'default_currency'>>): UpdateConnectedAccountInput {
  return {
    email: params.email,
    business_type: params.business_type,
    business_profile: params.business_profile,
    individual: params.individual,
    company: params.company,
    tos_acceptance: params.tos_acceptance,
    capabilities: params.capabilities,
    metadata: params.metadata,
  };
}

export const connectedAccountRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/accounts', operationId: 'PostAccounts',
    summary: 'Create a connected account of the caller (a Connect platform): type or controller, country, business details, capabilities, an external account',
    parameters: createParameters,
    response: { kind: 'object', type: 'account' },
    // The service's answer is presented as is: with an idempotency key, it is stored from inside its final transaction.
    handle: (context, params) => createConnectedAccount(context.work, context.deps, context.scope, {
      ...toConnectInput(params),
      default_currency: params.default_currency,
      settings: params.settings,
      type: params.type,
      controller: params.controller,
      country: params.country,
      external_account: params.external_account,
    } satisfies CreateConnectedAccountInput),
    present: (view) => presentObject(view.rendered),
  }),
  defineRoute({
    method: 'GET', path: '/v1/accounts', operationId: 'GetAccounts', summary: "List the platform's connected accounts, newest first",
    parameters: object({ ...listParameters, ...createdFilter }),
    response: { kind: 'list', type: 'account' },
    handle: (context, params) => listConnectedAccountPage(context.deps, context.scope, params),
    present: (page, context) => presentList(page, context.path, (row) => row),
  }),
  defineRoute({
    method: 'DELETE', path: '/v1/accounts/:account', operationId: 'DeleteAccountsAccount', summary: 'Delete a connected account (test mode, or a live account with a zero balance)',
    parameters: noParameters,
    response: { kind: 'object', type: 'account' },
    handle: (context) => deleteConnectedAccountOf(context.work, context.scope, context.pathParams.account),
    present: (deleted) => presentObject(renderDeletedAccount(deleted.id)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/accounts/:account/reject', operationId: 'PostAccountsAccountReject', summary: 'Reject a connected account the platform is liable for',
    parameters: object({ reason: required(enumeration(rejectReasons)) }),
    response: { kind: 'object', type: 'account' },
    handle: (context, params) => rejectConnectedAccount(context.work, context.deps, context.scope, context.pathParams.account, params.reason),
    present: (view) => presentObject(view.rendered),
  }),
];
