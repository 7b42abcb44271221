import { cancelRefund } from '../../refunds/cancel.ts';
import { renderRefund } from '../../refunds/render.ts';
import { checkRefundTarget, createRefund, listRefundPage, refundReasons, retrieveRefund, updateRefund } from '../../refunds/service.ts';
import { maximumAmount } from '../../platform/money.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { boolean, enumeration, integer, metadata, object, string } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';

export const refundRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/refunds', operationId: 'PostRefunds', summary: 'Refund a charge, in full or in part',
    parameters: object({
      charge: string({ maxLength: 255 }),
      payment_intent: string({ maxLength: 255 }),
      amount: integer({ minimum: 1, maximum: maximumAmount }),
      reason: enumeration(refundReasons),
      // Connect: a destination charge's transfer reversed, the application fee refunded, in proportion (docs/connect.md).
      reverse_transfer: boolean(),
      refund_application_fee: boolean(),
      metadata: metadata(),
    }),
    response: { kind: 'object', type: 'refund' },
    precheck: (params) => checkRefundTarget(params),
    handle: (context, params) => createRefund(context.work, context.deps, context.scope, { ...params, platformAccountId: context.caller.platformAccountId }),
    present: (row) => presentObject(renderRefund(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/refunds/:id', operationId: 'GetRefundsRefund', summary: 'Retrieve a refund',
    parameters: noParameters,
    response: { kind: 'object', type: 'refund' },
    handle: (context) => retrieveRefund(context.deps.db, context.scope, context.pathParams.id),
    present: (row) => presentObject(renderRefund(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/refunds/:id', operationId: 'PostRefundsRefund', summary: "Update a refund's metadata",
    parameters: object({ metadata: metadata() }),
    response: { kind: 'object', type: 'refund' },
    handle: (context, params) => updateRefund(context.work, context.scope, context.pathParams.id, params.metadata),
    present: (row) => presentObject(renderRefund(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/refunds', operationId: 'GetRefunds', summary: 'List refunds',
    parameters: object({ ...listParameters, ...createdFilter, charge: string({ maxLength: 255 }), payment_intent: string({ maxLength: 255 }) }),
    response: { kind: 'list', type: 'refund' },
    handle: (context, params) => listRefundPage(context.deps.db, context.scope, params, { charge: params.charge, payment_intent: params.payment_intent }),
    present: (page, context) => presentList(page, context.path, renderRefund),
  }),
  defineRoute({
    method: 'POST', path: '/v1/refunds/:id/cancel', operationId: 'PostRefundsRefundCancel', summary: 'Cancel a refund that waits for the customer (requires_action)',
    parameters: noParameters,
    response: { kind: 'object', type: 'refund' },
    handle: (context) => cancelRefund(context.work, context.deps, context.scope, context.pathParams.id),
    present: (row) => presentObject(renderRefund(row)),
  }),
];
