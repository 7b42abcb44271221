import { renderBalanceTransaction } from '../../balance-transactions/render.ts';
import { listBalanceTransactionPage, retrieveBalanceTransaction } from '../../balance-transactions/service.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { object, string } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';

/** Stripe's transaction types are an open list of snake_case names; one Payrail never writes simply matches nothing. */
const typeFilter = string({ maxLength: 64, pattern: /^[a-z_]+$/, patternMessage: 'Invalid type: must be a balance transaction type such as charge, refund or payout', description: 'Only transactions of this type (charge, refund, payout, ...).' });
const currencyFilter = string({ maxLength: 3, minLength: 3, pattern: /^[a-z]{3}$/, patternMessage: 'Invalid currency: must be a three-letter ISO code in lower case', description: 'Only transactions in this currency.' });

/** The retrieve and list routes of balance transactions, at Stripe's path or at its older `balance/history` alias. */
function routesAt(base: string, operationIds: { retrieve: string; list: string }, note: string) {
  return [
    defineRoute({
      method: 'GET', path: `${base}/:id`, operationId: operationIds.retrieve, summary: `Retrieve a balance transaction${note}`,
      parameters: noParameters,
      response: { kind: 'object', type: 'balance_transaction' },
      handle: (context) => retrieveBalanceTransaction(context.deps.db, context.scope, context.pathParams.id),
      present: (row) => presentObject(renderBalanceTransaction(row)),
    }),
    defineRoute({
      method: 'GET', path: base, operationId: operationIds.list,
      summary: `List balance transactions, newest first (every movement of funds: charges, refunds, payouts and their failures)${note}`,
      parameters: object({
        ...listParameters,
        ...createdFilter,
        type: typeFilter,
        source: string({ maxLength: 255, description: 'Only transactions created by this object (ch_, re_, po_ ...).' }),
        payout: string({ maxLength: 255, description: 'Only transactions paid out by this automatic payout.' }),
        currency: currencyFilter,
      }),
      response: { kind: 'list', type: 'balance_transaction' },
      handle: (context, params) => listBalanceTransactionPage(context.deps.db, context.scope, params, { type: params.type, source: params.source, payout: params.payout, currency: params.currency }),
      // Stripe's list `url` is /v1/balance_transactions at either path (its spec's pattern for both lists says so).
      present: (page) => presentList(page, '/v1/balance_transactions', renderBalanceTransaction),
    }),
  ];
}

export const balanceTransactionRoutes = [
  ...routesAt('/v1/balance_transactions', { retrieve: 'GetBalanceTransactionsId', list: 'GetBalanceTransactions' }, ''),
  // Stripe still serves the endpoints' first name, "balance history", and its spec lists both.
  ...routesAt('/v1/balance/history', { retrieve: 'GetBalanceHistoryId', list: 'GetBalanceHistory' }, ' (the older `balance/history` path)'),
];
