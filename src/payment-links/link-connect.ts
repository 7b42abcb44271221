import type { Dependencies } from '../dependencies.ts';
import { ApiError } from '../platform/errors.ts';
import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { resolveConnect, type ConnectInput } from '../payments/connect-input.ts';
import type { SessionConnectData } from '../checkout/session-connect.ts';
import type { LinkConnect, PaymentLinkRow } from './repository.ts';

// A Payment Link's Connect parameters (application_fee_amount, transfer_data, on_behalf_of; transfer_group is in its
// payment_intent_data): checked when the link is made by the PaymentIntents' own rules (resolveConnect), for the
// link's total at its default quantities; passed to every session the link makes, whose creation checks them again for
// the quantities the shopper chose, and so to the session's PaymentIntent.

export interface LinkConnectInput {
  application_fee_amount?: number;
  application_fee_percent?: string;
  transfer_data?: { destination: string; amount?: number };
  on_behalf_of?: string;
}

/**
 * What needs no database. Stripe takes `application_fee_percent` on a link only when it sells a recurring price (the
 * fee is a percentage of each subscription invoice); Payrail's prices are all one-time, so it is refused, as Stripe
 * refuses it on a link without a recurring price.
 */
export function checkLinkConnectShape(input: LinkConnectInput): void {
  if (input.application_fee_percent !== undefined) {
    throw new ApiError('invalid_value', 'application_fee_percent can only be used on a Payment Link with at least one recurring price (it is a percentage of subscription invoices), and Payrail\'s prices are one-time: use application_fee_amount.', { param: 'application_fee_percent' });
  }
}

/** A link's parameters as a PaymentIntent takes them. */
function connectInputOf(input: LinkConnectInput, transferGroup: string | null | undefined): ConnectInput {
  const connect: ConnectInput = {};
  if (input.application_fee_amount !== undefined) connect.application_fee_amount = input.application_fee_amount;
  if (input.transfer_data !== undefined) connect.transfer_data = input.transfer_data;
  if (input.on_behalf_of !== undefined) connect.on_behalf_of = input.on_behalf_of;
  if (transferGroup !== undefined && transferGroup !== null) connect.transfer_group = transferGroup;
  return connect;
}

/**
 * A new link's Connect parameters checked for its total (the request's Stripe-Account header making a fee a direct
 * charge's), and what the link keeps of them: null for a link without any of application_fee_amount, transfer_data
 * and on_behalf_of (an ordinary link reads nothing here).
 */
export async function checkLinkConnect(db: Queryable, deps: Pick<Dependencies, 'settings'>, scope: Scope, input: LinkConnectInput, transferGroup: string | null | undefined, total: number, currency: string): Promise<LinkConnect | null> {
  checkLinkConnectShape(input);
  if (input.application_fee_amount === undefined && input.transfer_data === undefined && input.on_behalf_of === undefined) return null;
  const param = (name: string) => (name === 'transfer_group' ? 'payment_intent_data[transfer_group]' : name);
  const connect = await resolveConnect(db, deps, scope, scope.platformAccountId, connectInputOf(input, transferGroup), null, total, currency, { param });
  return {
    application_fee_amount: input.application_fee_amount ?? null,
    transfer_data: input.transfer_data ? { destination: input.transfer_data.destination, amount: input.transfer_data.amount ?? null } : null,
    on_behalf_of: input.on_behalf_of ?? null,
    platform_account_id: connect?.kind === 'direct' ? connect.platform : null,
  };
}

/** What a session made from the link passes to its PaymentIntent, and the scope it is made in (a direct charge's platform). */
export function linkSessionConnect(link: PaymentLinkRow): { data: SessionConnectData; platformAccountId: string | undefined } {
  const connect = link.connect;
  const data: SessionConnectData = {};
  if (connect?.application_fee_amount != null) data.application_fee_amount = connect.application_fee_amount;
  if (connect?.transfer_data) data.transfer_data = { destination: connect.transfer_data.destination, ...(connect.transfer_data.amount !== null ? { amount: connect.transfer_data.amount } : {}) };
  if (connect?.on_behalf_of != null) data.on_behalf_of = connect.on_behalf_of;
  if (link.payment_intent_data?.transfer_group != null) data.transfer_group = link.payment_intent_data.transfer_group;
  return { data, platformAccountId: connect?.platform_account_id ?? undefined };
}
