import { renderCardSource } from '../payment-methods/render.ts';
import type { CardPaymentMethodRow } from '../payment-methods/repository.ts';
import type { TokenRow } from './repository.ts';

/** The Stripe `token` object of a card token, with its card as Stripe's legacy `card` object. */
export function renderToken(token: TokenRow, card: CardPaymentMethodRow): Record<string, unknown> {
  return {
    id: token.id,
    object: 'token',
    card: renderCardSource(card),
    client_ip: token.client_ip,
    created: token.created,
    livemode: token.livemode,
    type: token.type,
    used: token.used,
  };
}
