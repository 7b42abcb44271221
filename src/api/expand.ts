import { findApplicationFee, findFeeRefundById } from '../application-fees/repository.ts';
import { renderApplicationFee, renderFeeRefund } from '../application-fees/render.ts';
import { applicationFeeView } from '../application-fees/service.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError } from '../platform/errors.ts';
import { findCustomer } from '../customers/repository.ts';
import { renderCustomer } from '../customers/render.ts';
import { findPaymentMethod } from '../payment-methods/repository.ts';
import { renderCardSource, renderPaymentMethod } from '../payment-methods/render.ts';
import { listCardSources } from '../payment-methods/repository.ts';
import { findCharge, findPaymentIntent } from '../payments/repository.ts';
import { renderCharge, renderPaymentIntent } from '../payments/render.ts';
import { findBalanceTransaction } from '../balance-transactions/repository.ts';
import { renderBalanceTransaction } from '../balance-transactions/render.ts';
import { findRefund, listRefunds } from '../refunds/repository.ts';
import { listLimitDefault } from '../platform/pagination.ts';
import { findPayout } from '../payouts/repository.ts';
import { renderPayout } from '../payouts/render.ts';
import { findExternalAccount } from '../external-accounts/repository.ts';
import { renderBankAccount } from '../external-accounts/render.ts';
import { renderRefund } from '../refunds/render.ts';
import { findProduct } from '../products/repository.ts';
import { renderProduct } from '../products/render.ts';
import { findPrice } from '../prices/repository.ts';
import { renderCurrencyOptions, renderPrice } from '../prices/render.ts';
import { findScopedSetupAttempt, findSetupIntent } from '../setup-intents/repository.ts';
import { renderSetupAttempt, renderSetupIntent } from '../setup-intents/render.ts';
import { findReversalById, findTransfer } from '../transfers/repository.ts';
import { renderTransfer, renderTransferReversal } from '../transfers/render.ts';
import { transferView } from '../transfers/service.ts';

/** Stripe's limit on expansion depth ("a.b.c.d"). */
export const expandDepthMax = 4;
export const expandPathsMax = 20;

type ObjectType = 'payment_intent' | 'charge' | 'customer' | 'payment_method' | 'refund' | 'event' | 'balance_transaction' | 'balance_transaction_source'
  | 'token' | 'card'
  // A customer's `sources`: a list, present only when expanded (as at Stripe since 2020-08-27).
  | 'card_source_list'
  | 'balance' | 'account' | 'person' | 'payout' | 'bank_account' | 'webhook_endpoint' | 'webhook_attempt' | 'webhook_delivery'
  | 'product' | 'price'
  // A SetupIntent and its attempts.
  | 'setup_intent' | 'setup_attempt'
  // Checkout: a session (Stripe's schema `checkout.session`) and its line items (`item`).
  | 'checkout.session' | 'item'
  // A Payment Link (its line_items list is not rendered, so nothing of it expands).
  | 'payment_link'
  // An uploaded file (its `links` list is always empty: Payrail has no file links).
  | 'file'
  // Which payment method types automatic payment methods offer (nothing of it expands).
  | 'payment_method_configuration'
  // A Mandate (its payment_method is an id, not expandable here).
  | 'mandate'
  // A Connect Account Link (nothing in it expands).
  | 'account_link'
  // The object `payrail.connector_configuration`, named without the dot where a schema name is needed.
  | 'payrail_connector_configuration'
  // The object `payrail.routing_profile` (one per account and mode, no id).
  | 'payrail_routing_profile'
  // The object `payrail.api_key`.
  | 'payrail_api_key'
  // A dispute of a charge, and an issuer's early fraud warning (Stripe's schema `radar.early_fraud_warning`).
  | 'dispute' | 'radar.early_fraud_warning'
  // Connect: transfers and their reversals.
  | 'transfer' | 'transfer_reversal'
  // Connect: application fees and their refunds.
  | 'application_fee' | 'fee_refund'
  // A hash inside an object (no `object` field of its own) that holds expandable ids.
  | 'customer_invoice_settings';
type Loader = (db: Queryable, scope: Scope, id: string) => Promise<Record<string, unknown> | undefined>;

const loaders: Record<string, Loader> = {
  customer: async (db, scope, id) => {
    const row = await findCustomer(db, scope, id, { includeDeleted: true });
    return row && renderCustomer(row);
  },
  payment_method: async (db, scope, id) => {
    const row = await findPaymentMethod(db, scope, id);
    return row && renderPaymentMethod(row);
  },
  card: async (db, scope, id) => {
    const row = await findPaymentMethod(db, scope, id);
    return row?.type === 'card' ? renderCardSource(row) : undefined;
  },
  charge: async (db, scope, id) => {
    const row = await findCharge(db, scope, id);
    return row && renderCharge(row);
  },
  payment_intent: async (db, scope, id) => {
    const row = await findPaymentIntent(db, scope, id);
    return row && renderPaymentIntent(row);
  },
  refund: async (db, scope, id) => {
    const row = await findRefund(db, scope, id);
    return row && renderRefund(row);
  },
  payout: async (db, scope, id) => {
    const row = await findPayout(db, scope, id);
    return row && renderPayout(row);
  },
  bank_account: async (db, scope, id) => {
    const row = await findExternalAccount(db, scope, id);
    return row && renderBankAccount(row);
  },
  product: async (db, scope, id) => {
    const row = await findProduct(db, scope, id);
    return row && renderProduct(row);
  },
  price: async (db, scope, id) => {
    const row = await findPrice(db, scope, id);
    return row && renderPrice(row);
  },
  setup_intent: async (db, scope, id) => {
    const row = await findSetupIntent(db, scope, id);
    return row && renderSetupIntent(row);
  },
  setup_attempt: async (db, scope, id) => {
    const row = await findScopedSetupAttempt(db, scope, id);
    return row && renderSetupAttempt(row);
  },
  transfer: async (db, scope, id) => {
    const row = await findTransfer(db, scope, id);
    return row && renderTransfer(await transferView(db, row));
  },
  transfer_reversal: async (db, scope, id) => {
    const row = await findReversalById(db, scope, id);
    return row && renderTransferReversal(row);
  },
  application_fee: async (db, scope, id) => {
    const row = await findApplicationFee(db, scope, id);
    return row && renderApplicationFee(await applicationFeeView(db, scope, row));
  },
  fee_refund: async (db, scope, id) => {
    const row = await findFeeRefundById(db, scope, id);
    return row && renderFeeRefund(row);
  },
  balance_transaction: async (db, scope, id) => {
    const row = await findBalanceTransaction(db, scope, id);
    return row && renderBalanceTransaction(row);
  },
  // A balance transaction's source is whichever object moved the money; its id prefix says which.
  balance_transaction_source: async (db, scope, id) => {
    const loader = sourceLoaders.find(([prefix]) => id.startsWith(prefix))?.[1];
    return loader ? loader(db, scope, id) : undefined;
  },
};

const sourceLoaders: [string, Loader][] = [
  ['ch_', (db, scope, id) => loaders.charge(db, scope, id)],
  ['re_', (db, scope, id) => loaders.refund(db, scope, id)],
  ['po_', (db, scope, id) => loaders.payout(db, scope, id)],
  ['tr_', (db, scope, id) => loaders.transfer(db, scope, id)],
  ['trr_', (db, scope, id) => loaders.transfer_reversal(db, scope, id)],
  ['fee_', (db, scope, id) => loaders.application_fee(db, scope, id)],
  ['fr_', (db, scope, id) => loaders.fee_refund(db, scope, id)],
];

/**
 * For each object type, its expandable fields and the type each expands to: the subset of Stripe's
 * `x-expandableFields` (spec3.json) that holds an id in Payrail's answers. Stripe does not expand a charge's
 * `payment_method` (it stays an id), so neither does Payrail.
 */
export const expandableFields: Record<ObjectType, Record<string, ObjectType>> = {
  payment_intent: { latest_charge: 'charge', customer: 'customer', payment_method: 'payment_method' },
  charge: { customer: 'customer', payment_intent: 'payment_intent', balance_transaction: 'balance_transaction', failure_balance_transaction: 'balance_transaction' },
  refund: { charge: 'charge', payment_intent: 'payment_intent', balance_transaction: 'balance_transaction', failure_balance_transaction: 'balance_transaction', transfer_reversal: 'transfer_reversal' },
  payment_method: { customer: 'customer' },
  customer: { default_source: 'card', invoice_settings: 'customer_invoice_settings' },
  customer_invoice_settings: { default_payment_method: 'payment_method' },
  token: {},
  card: { customer: 'customer' },
  card_source_list: {},
  event: {},
  balance_transaction: { source: 'balance_transaction_source' },
  balance_transaction_source: {},
  balance: {},
  account: {},
  person: {},
  payout: { balance_transaction: 'balance_transaction', failure_balance_transaction: 'balance_transaction', destination: 'bank_account', original_payout: 'payout', reversed_by: 'payout' },
  bank_account: {},
  product: { default_price: 'price' },
  price: { product: 'product' },
  setup_intent: { customer: 'customer', payment_method: 'payment_method', latest_attempt: 'setup_attempt' },
  setup_attempt: { customer: 'customer', payment_method: 'payment_method', setup_intent: 'setup_intent' },
  'checkout.session': { customer: 'customer', payment_intent: 'payment_intent', setup_intent: 'setup_intent' },
  // A line item's price is embedded whole; its product can be expanded through it.
  item: { price: 'price' },
  payment_link: {},
  file: {},
  payment_method_configuration: {},
  mandate: {},
  account_link: {},
  webhook_endpoint: {},
  webhook_attempt: {},
  webhook_delivery: {},
  payrail_connector_configuration: {},
  payrail_routing_profile: {},
  payrail_api_key: {},
  transfer: { balance_transaction: 'balance_transaction', source_transaction: 'charge' },
  transfer_reversal: { balance_transaction: 'balance_transaction', transfer: 'transfer' },
  application_fee: { balance_transaction: 'balance_transaction', charge: 'charge' },
  fee_refund: { balance_transaction: 'balance_transaction', fee: 'application_fee' },
  dispute: { charge: 'charge', payment_intent: 'payment_intent' },
  'radar.early_fraud_warning': { charge: 'charge', payment_intent: 'payment_intent' },
};

/** `search`: Stripe's `search_result` envelope, whose items expand like a list's and which also expands `total_count`. */
export type ResponseShape = { kind: 'object'; type: ObjectType } | { kind: 'list'; type: ObjectType } | { kind: 'search'; type: ObjectType } | { kind: 'none' };

/**
 * Fields a response computes only when they are expanded (the `total_count` of a search result costs a count
 * query), keyed by the response body the route presented.
 */
const deferredFields = new WeakMap<object, Record<string, () => Promise<unknown>>>();

export function deferField(body: Record<string, unknown>, field: string, compute: () => Promise<unknown>): void {
  deferredFields.set(body, { ...deferredFields.get(body), [field]: compute });
}

/** The fields of a search result that are computed on request rather than expanded from an id. */
const searchComputedFields = ['total_count'];

/** Undefined leaves the field absent (a deleted customer has no sources). */
type Includer = (db: Queryable, scope: Scope, object: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>;

/**
 * Fields an object leaves out unless they are expanded (Stripe's "includable" fields): a charge's `refunds` list since
 * API 2022-11-15, a customer's `sources` since 2020-08-27. Expanding one adds it, as the first page of the list with
 * its `url`; they are always the last segment of a path.
 */
const includableFields: Partial<Record<ObjectType, Record<string, Includer>>> = {
  charge: {
    refunds: async (db, scope, charge) => {
      const page = await listRefunds(db, scope, { limit: listLimitDefault }, { charge: String(charge.id) });
      return { object: 'list', data: page.rows.map(renderRefund), has_more: page.hasMore, url: `/v1/charges/${String(charge.id)}/refunds` };
    },
  },
  price: {
    // Stripe leaves `currency_options` out of a price unless expanded; it lists the price's own currency too.
    currency_options: async (db, scope, price) => {
      const row = await findPrice(db, scope, String(price.id));
      return row && renderCurrencyOptions(row);
    },
  },
  customer: {
    sources: async (db, scope, customer) => {
      if (customer.deleted === true) return undefined;
      const id = customer.id as string;
      const page = await listCardSources(db, scope, {}, id);
      return { object: 'list', data: page.rows.map((row) => row.type === 'card' ? renderCardSource(row) : {}), has_more: page.hasMore, url: `/v1/customers/${id}/sources` };
    },
  },
};

/** Checks `expand` paths against what the response can expand, before any work is done. */
export function validateExpand(shape: ResponseShape, paths: string[]): void {
  if (paths.length > expandPathsMax) throw new ApiError('invalid_expand', `You may expand at most ${expandPathsMax} paths.`, { param: 'expand' });
  paths.forEach((path, index) => {
    const segments = path.split('.');
    const param = `expand[${index}]`;
    if (shape.kind === 'none') throw new ApiError('invalid_expand', `This property cannot be expanded (${segments[0]}).`, { param });
    if (shape.kind === 'search' && searchComputedFields.includes(path)) return;
    if (shape.kind === 'list' || shape.kind === 'search') {
      if (segments[0] !== 'data') throw new ApiError('invalid_expand', `This property cannot be expanded (${segments[0]}). List expansions start with data.`, { param });
      segments.shift();
    }
    if (segments.length === 0 || segments.length > expandDepthMax) {
      throw new ApiError('invalid_expand', `You cannot expand more than ${expandDepthMax} levels of a property.`, { param });
    }
    let type: ObjectType = shape.type;
    for (const [position, segment] of segments.entries()) {
      if (own(includableFields[type], segment) && position === segments.length - 1) return;
      const next = own(expandableFields[type], segment);
      if (!next) throw new ApiError('invalid_expand', `This property cannot be expanded (${segment}).`, { param });
      type = next;
    }
    // A path ends at an object that can be loaded (an id), not at a hash that only holds ids.
    if (!own(loaders, type)) throw new ApiError('invalid_expand', `This property cannot be expanded (${segments.at(-1)}).`, { param });
  });
}

/**
 * `table[key]` when the table itself has it: expand paths come from the request, and a name such as `__proto__` or
 * `constructor` must not reach Object.prototype's members (a 500 before).
 */
function own<T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Expands one path in `object`, of type `type` (its `object` field, or for a nested hash the type its parent gives it). */
async function expandPath(db: Queryable, scope: Scope, object: Record<string, unknown>, segments: string[], type = object.object as ObjectType): Promise<void> {
  const [field, ...rest] = segments;
  const include = rest.length === 0 ? own(includableFields[type], field) : undefined;
  if (include) {
    const included = await include(db, scope, object);
    if (included !== undefined) object[field] = included;
    return;
  }
  const fieldType = own(expandableFields[type], field);
  const value = object[field];
  if (typeof value === 'string') {
    const loader = fieldType ? own(loaders, fieldType) : undefined;
    const loaded = loader ? await loader(db, scope, value) : undefined;
    if (!loaded) return;
    object[field] = loaded;
  }
  const target = object[field] as Record<string, unknown> | null | undefined;
  if (rest.length > 0 && target && typeof target === 'object' && fieldType) await expandPath(db, scope, target, rest, (target.object as ObjectType | undefined) ?? fieldType);
}

/** Replaces ids with objects along each (validated) path; `data.` paths apply to every item of a list. */
export async function expandResponse(db: Queryable, scope: Scope, body: Record<string, unknown>, paths: string[]): Promise<void> {
  for (const path of paths) {
    const segments = path.split('.');
    const deferred = deferredFields.get(body)?.[path];
    if (deferred) {
      body[path] = await deferred();
    } else if (body.object === 'list' || body.object === 'search_result') {
      const items = body.data as Record<string, unknown>[];
      for (const item of items) await expandPath(db, scope, item, segments.slice(1));
    } else {
      await expandPath(db, scope, body, segments);
    }
  }
}
