import type { Scope } from '../events/service.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError } from '../platform/errors.ts';
import { findCustomer } from '../customers/repository.ts';
import { renderCustomer } from '../customers/render.ts';
import { findPaymentMethod } from '../payment-methods/repository.ts';
import { renderPaymentMethod } from '../payment-methods/render.ts';
import { findCharge, findPaymentIntent } from '../payments/repository.ts';
import { renderCharge, renderPaymentIntent } from '../payments/render.ts';
import { findBalanceTransaction } from '../balance-transactions/repository.ts';
import { renderBalanceTransaction } from '../balance-transactions/render.ts';
import { findRefund } from '../refunds/repository.ts';
import { findPayout } from '../payouts/repository.ts';
import { renderPayout } from '../payouts/render.ts';
import { findExternalAccount } from '../external-accounts/repository.ts';
import { renderBankAccount } from '../external-accounts/render.ts';
import { renderRefund } from '../refunds/render.ts';

/** Stripe's limit on expansion depth ("a.b.c.d"). */
export const expandDepthMax = 4;
export const expandPathsMax = 20;

type ObjectType = 'payment_intent' | 'charge' | 'customer' | 'payment_method' | 'refund' | 'event' | 'balance_transaction' | 'balance_transaction_source'
  | 'balance' | 'account' | 'payout' | 'bank_account' | 'webhook_endpoint' | 'webhook_attempt' | 'webhook_delivery'
  // The object `payrail.connector_configuration`, named without the dot where a schema name is needed.
  | 'payrail_connector_configuration'
  // The object `payrail.routing_profile` (one per account and mode, no id).
  | 'payrail_routing_profile';
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
];

/**
 * For each object type, its expandable fields and the type each expands to: the subset of Stripe's
 * `x-expandableFields` (spec3.json) that holds an id in Payrail's answers. Stripe does not expand a charge's
 * `payment_method` (it stays an id), so neither does Payrail.
 */
const expandableFields: Record<ObjectType, Record<string, ObjectType>> = {
  payment_intent: { latest_charge: 'charge', customer: 'customer', payment_method: 'payment_method' },
  charge: { customer: 'customer', payment_intent: 'payment_intent', balance_transaction: 'balance_transaction', failure_balance_transaction: 'balance_transaction' },
  refund: { charge: 'charge', payment_intent: 'payment_intent', balance_transaction: 'balance_transaction', failure_balance_transaction: 'balance_transaction' },
  payment_method: { customer: 'customer' },
  customer: {},
  event: {},
  balance_transaction: { source: 'balance_transaction_source' },
  balance_transaction_source: {},
  balance: {},
  account: {},
  payout: { balance_transaction: 'balance_transaction', failure_balance_transaction: 'balance_transaction', destination: 'bank_account' },
  bank_account: {},
  webhook_endpoint: {},
  webhook_attempt: {},
  webhook_delivery: {},
  payrail_connector_configuration: {},
  payrail_routing_profile: {},
};

export type ResponseShape = { kind: 'object'; type: ObjectType } | { kind: 'list'; type: ObjectType } | { kind: 'none' };

/** Checks `expand` paths against what the response can expand, before any work is done. */
export function validateExpand(shape: ResponseShape, paths: string[]): void {
  if (paths.length > expandPathsMax) throw new ApiError('invalid_expand', `You may expand at most ${expandPathsMax} paths.`, { param: 'expand' });
  paths.forEach((path, index) => {
    const segments = path.split('.');
    const param = `expand[${index}]`;
    if (shape.kind === 'none') throw new ApiError('invalid_expand', `This property cannot be expanded (${segments[0]}).`, { param });
    if (shape.kind === 'list') {
      if (segments[0] !== 'data') throw new ApiError('invalid_expand', `This property cannot be expanded (${segments[0]}). List expansions start with data.`, { param });
      segments.shift();
    }
    if (segments.length === 0 || segments.length > expandDepthMax) {
      throw new ApiError('invalid_expand', `You cannot expand more than ${expandDepthMax} levels of a property.`, { param });
    }
    let type: ObjectType = shape.type;
    for (const segment of segments) {
      const next = expandableFields[type][segment];
      if (!next) throw new ApiError('invalid_expand', `This property cannot be expanded (${segment}).`, { param });
      type = next;
    }
  });
}

async function expandPath(db: Queryable, scope: Scope, object: Record<string, unknown>, segments: string[]): Promise<void> {
  const [field, ...rest] = segments;
  const value = object[field];
  if (typeof value === 'string') {
    const type = expandableFields[object.object as ObjectType]?.[field];
    const loaded = type ? await loaders[type](db, scope, value) : undefined;
    if (!loaded) return;
    object[field] = loaded;
  }
  const target = object[field];
  if (rest.length > 0 && target && typeof target === 'object') await expandPath(db, scope, target as Record<string, unknown>, rest);
}

/** Replaces ids with objects along each (validated) path; `data.` paths apply to every item of a list. */
export async function expandResponse(db: Queryable, scope: Scope, body: Record<string, unknown>, paths: string[]): Promise<void> {
  for (const path of paths) {
    const segments = path.split('.');
    if (body.object === 'list') {
      const items = body.data as Record<string, unknown>[];
      for (const item of items) await expandPath(db, scope, item, segments.slice(1));
    } else {
      await expandPath(db, scope, body, segments);
    }
  }
}
