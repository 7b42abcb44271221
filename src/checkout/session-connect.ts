import type { Dependencies } from '../dependencies.ts';
import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { hasConnectInput, resolveConnect, type ConnectInput } from '../payments/connect-input.ts';

// A Checkout Session's Connect parameters (`payment_intent_data[application_fee_amount|transfer_data|on_behalf_of|
// transfer_group]`): checked at creation by the PaymentIntents' own rules (resolveConnect), named as the session's
// parameters; the page's PaymentIntent is then created with them, so the shopper's charge is a destination (or direct)
// charge exactly as a PaymentIntent made with them would be.

/** What a session keeps of them for its PaymentIntent (part of its `payment_intent_data`). */
export interface SessionConnectData {
  application_fee_amount?: number;
  transfer_data?: { destination: string; amount?: number };
  on_behalf_of?: string;
  transfer_group?: string;
  /**
   * A direct charge: the platform of the connected account that created the session with the Stripe-Account header
   * (the one that collects the fee). Not a Stripe field: the page's PaymentIntent is created as that request would be.
   */
  platform_account_id?: string;
}

/** `transfer_data[amount]` as a session names it: `payment_intent_data[transfer_data][amount]`. */
export function sessionConnectParam(name: string): string {
  if (name === 'currency') return name;
  const bracket = name.indexOf('[');
  return bracket < 0 ? `payment_intent_data[${name}]` : `payment_intent_data[${name.slice(0, bracket)}]${name.slice(bracket)}`;
}

/** The Connect parameters of `data` as a PaymentIntent takes them. */
export function connectInputOf(data: SessionConnectData): ConnectInput {
  const input: ConnectInput = {};
  if (data.application_fee_amount !== undefined) input.application_fee_amount = data.application_fee_amount;
  if (data.transfer_data !== undefined) input.transfer_data = data.transfer_data;
  if (data.on_behalf_of !== undefined) input.on_behalf_of = data.on_behalf_of;
  if (data.transfer_group !== undefined) input.transfer_group = data.transfer_group;
  return input;
}

/**
 * Checks a new session's Connect parameters for its amount and currency, as a PaymentIntent's creation would (the
 * request's Stripe-Account header making it a direct charge), and answers what the session keeps: the parameters, and
 * for a direct charge its platform. Reads nothing when none is given.
 */
export async function checkSessionConnect(db: Queryable, deps: Pick<Dependencies, 'settings'>, scope: Scope, data: SessionConnectData, amount: number, currency: string): Promise<SessionConnectData> {
  const input = connectInputOf(data);
  if (!hasConnectInput(input)) return {};
  const connect = await resolveConnect(db, deps, scope, scope.platformAccountId, input, null, amount, currency, { param: sessionConnectParam });
  return { ...input, ...(connect?.kind === 'direct' && connect.platform ? { platform_account_id: connect.platform } : {}) } as SessionConnectData;
}
