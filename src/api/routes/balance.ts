import { merchantBalance, type MerchantBalance } from '../../ledger/service.ts';
import { defineRoute, presentObject } from '../route.ts';
import { noParameters } from './common.ts';

/**
 * Stripe's `balance` object, plus two Payrail extensions: `payrail_authorized` (authorization holds not yet
 * captured, which are not the merchant's money yet) and `payrail_in_transit` (payouts sent and not yet arrived).
 */
export function renderBalance(balance: MerchantBalance, livemode: boolean): Record<string, unknown> {
  return {
    object: 'balance',
    available: balance.available,
    livemode,
    pending: balance.pending,
    payrail_authorized: balance.authorized,
    payrail_in_transit: balance.in_transit,
  };
}

export const balanceRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/balance', operationId: 'GetBalance',
    summary: 'Retrieve the balance: available and pending funds per currency (the default currency first, even at zero). '
      + 'Payrail extensions: payrail_authorized (authorization holds not yet captured) and payrail_in_transit (payouts sent, not yet arrived), '
      + 'in the same {amount, currency, source_types} shape.',
    parameters: noParameters,
    response: { kind: 'object', type: 'balance' },
    handle: async (context) => {
      const settings = await context.deps.settings.get(context.scope.accountId);
      return merchantBalance(context.deps.db, context.scope, settings.default_currency);
    },
    present: (balance, context) => presentObject(renderBalance(balance, context.scope.livemode)),
  }),
];
