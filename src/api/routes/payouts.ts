import { maximumAmount } from '../../platform/money.ts';
import { renderPayout } from '../../payouts/render.ts';
import {
  cancelPayout, checkPayoutInput, createPayout, listPayoutPage, payoutMethods, payoutSourceTypes, retrievePayout, statementDescriptorLengthMax, updatePayout,
} from '../../payouts/service.ts';
import { reversePayout } from '../../payouts/reverse.ts';
import { payoutStatuses } from '../../payouts/state.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { enumeration, integer, metadata, object, rangeFilter, required, string } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';

export const payoutRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/payouts', operationId: 'PostPayouts', summary: 'Pay out part of the available balance to a bank account',
    parameters: object({
      amount: required(integer({ minimum: 1, maximum: maximumAmount })),
      currency: required(string({ minLength: 3, maxLength: 3 })),
      destination: string({ maxLength: 255 }),
      description: string({ maxLength: 5000 }),
      metadata: metadata(),
      method: enumeration(payoutMethods),
      source_type: enumeration(payoutSourceTypes),
      statement_descriptor: string({ maxLength: statementDescriptorLengthMax }),
    }),
    response: { kind: 'object', type: 'payout' },
    precheck: (params) => checkPayoutInput(params),
    handle: (context, params) => createPayout(context.work, context.deps, context.scope, params),
    present: (row) => presentObject(renderPayout(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/payouts/:id', operationId: 'GetPayoutsPayout', summary: 'Retrieve a payout',
    parameters: noParameters,
    response: { kind: 'object', type: 'payout' },
    handle: (context) => retrievePayout(context.deps.db, context.scope, context.pathParams.id),
    present: (row) => presentObject(renderPayout(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/payouts/:id', operationId: 'PostPayoutsPayout', summary: "Update a payout's metadata",
    parameters: object({ metadata: metadata() }),
    response: { kind: 'object', type: 'payout' },
    handle: (context, params) => updatePayout(context.work, context.scope, context.pathParams.id, params.metadata),
    present: (row) => presentObject(renderPayout(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/payouts/:id/cancel', operationId: 'PostPayoutsPayoutCancel', summary: 'Cancel a pending payout',
    parameters: noParameters,
    response: { kind: 'object', type: 'payout' },
    handle: (context) => cancelPayout(context.work, context.deps, context.scope, context.pathParams.id),
    present: (row) => presentObject(renderPayout(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/payouts/:id/reverse', operationId: 'PostPayoutsPayoutReverse', summary: 'Reverse a paid payout: debit the bank account back into the balance',
    parameters: object({ metadata: metadata() }),
    response: { kind: 'object', type: 'payout' },
    handle: (context, params) => reversePayout(context.work, context.deps, context.scope, context.pathParams.id, params.metadata),
    present: (row) => presentObject(renderPayout(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/payouts', operationId: 'GetPayouts', summary: 'List payouts',
    parameters: object({
      ...listParameters,
      ...createdFilter,
      status: enumeration(payoutStatuses),
      destination: string({ maxLength: 255 }),
      arrival_date: rangeFilter(),
    }),
    response: { kind: 'list', type: 'payout' },
    handle: (context, params) => listPayoutPage(context.deps.db, context.scope, params, { status: params.status, destination: params.destination, arrival_date: params.arrival_date }),
    present: (page, context) => presentList(page, context.path, renderPayout),
  }),
];
