import { isConnectPlatform } from '../../connect/reserves.ts';
import { merchantBalance, type MerchantBalance } from '../../ledger/service.ts';
import { defineRoute, presentObject } from '../route.ts';
import { noParameters } from './common.ts';

/** What GET /v1/balance answers: the balance, and whether the account is a Connect platform (it then shows `connect_reserved`). */
export interface BalanceView {
  balance: MerchantBalance;
  platform: boolean;
}

/**
 * Stripe's `balance` object (with `connect_reserved` for a Connect platform, as at Stripe), plus two Payrail extensions: `payrail_authorized` (authorization holds not yet
 * captured, which are not the merchant's money yet) and `payrail_in_transit` (payouts sent and not yet arrived).
 */
export function renderBalance({ balance, platform }: BalanceView, livemode: boolean): Record<string, unknown> {
  return {
    object: 'balance',
    available: balance.available,
    ...(platform ? { connect_reserved: balance.connect_reserved } : {}),
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
      + 'in the same {amount, currency, source_types} shape. A Connect platform also sees connect_reserved: its funds held against the negative balances of the connected accounts whose losses it bears.',
    parameters: noParameters,
    response: { kind: 'object', type: 'balance' },
    handle: async (context) => {
      const settings = await context.deps.settings.get(context.scope.accountId);
      const balance = await merchantBalance(context.deps.db, context.scope, settings.default_currency);
      // A platform's reserve is shown even at zero; an account with no connected accounts has none to show.
      const platform = balance.connect_reserved.some((entry) => entry.amount !== 0) || await isConnectPlatform(context.deps.db, context.scope);
      return { balance, platform };
    },
    present: (balance, context) => presentObject(renderBalance(balance, context.scope.livemode)),
  }),
];
