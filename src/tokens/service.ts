import type { PaymentMethodDependencies } from '../payment-methods/service.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { testTokenNumber } from '../payment-methods/card-numbers.ts';
import { findPaymentMethod, insertPaymentMethod, type CardPaymentMethodRow } from '../payment-methods/repository.ts';
import { liveModeTestCardError, newLegacyCard, newTestLegacyCard, type LegacyCardInput } from '../payment-methods/service.ts';
import { findToken, insertToken, markTokenUsed, type TokenRow } from './repository.ts';

/** A token with the card it stands for. */
export interface TokenWithCard {
  token: TokenRow;
  card: CardPaymentMethodRow;
}

/**
 * Creates a card token (POST /v1/tokens): the card is stored as a card PaymentMethod with a `card_` id (number
 * encrypted, as every card), and the token points to it.
 */
export async function createCardToken(work: UnitOfWork, deps: PaymentMethodDependencies, scope: Scope, card: LegacyCardInput, clientIp: string | null): Promise<TokenWithCard> {
  const row = newLegacyCard(deps, scope, card);
  return work.finalTransaction(async (client) => {
    const stored = await insertPaymentMethod(client, scope, row);
    const token = await insertToken(client, scope, { id: newId('tok'), type: 'card', payment_method_id: stored.id, client_ip: clientIp, used: false, created: nowSeconds() });
    return { token, card: stored as CardPaymentMethodRow };
  });
}

async function cardOf(db: Queryable, scope: Scope, token: TokenRow): Promise<CardPaymentMethodRow> {
  const card = await findPaymentMethod(db, scope, token.payment_method_id);
  assert(card && card.type === 'card', `token ${token.id} has its card`);
  return card;
}

export async function retrieveToken(db: Queryable, scope: Scope, id: string): Promise<TokenWithCard> {
  const token = await findToken(db, scope, id);
  if (!token) throw missing('token', id);
  return { token, card: await cardOf(db, scope, token) };
}

/**
 * Uses a token (a charge's `source`, a card added to a customer): marks it used, once, and returns its card. One of
 * Stripe's test tokens (`tok_visa`, ...) in test mode instead stands for a fresh card of its test number, stored
 * here, and can be used any number of times, as at Stripe. Run it in the transaction that uses the card.
 */
export async function useToken(client: Queryable, deps: PaymentMethodDependencies, scope: Scope, id: string, param: string): Promise<CardPaymentMethodRow> {
  const testNumber = testTokenNumber(id);
  // Stripe's test tokens in live mode are declined as its test cards are.
  if (testNumber !== undefined && scope.livemode) throw liveModeTestCardError(param);
  if (testNumber !== undefined) return (await insertPaymentMethod(client, scope, newTestLegacyCard(deps, scope, testNumber))) as CardPaymentMethodRow;
  const token = await findToken(client, scope, id, { forUpdate: true });
  if (!token) throw missing('token', id, param);
  if (token.used || !(await markTokenUsed(client, scope, id))) {
    throw new ApiError('token_already_used', `You cannot use a Stripe token more than once: ${id}.`, { param });
  }
  return cardOf(client, scope, token);
}
