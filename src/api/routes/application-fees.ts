import { renderApplicationFee, renderFeeRefund } from '../../application-fees/render.ts';
import { createFeeRefund, listApplicationFeePage, listFeeRefundPage, retrieveApplicationFee, retrieveFeeRefund, updateFeeRefund } from '../../application-fees/service.ts';
import { maximumAmount } from '../../platform/money.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { integer, metadata, object, string } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';

export const applicationFeeRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/application_fees', operationId: 'GetApplicationFees', summary: 'List the application fees the platform collected',
    parameters: object({ ...listParameters, ...createdFilter, charge: string({ maxLength: 5000 }) }),
    response: { kind: 'list', type: 'application_fee' },
    handle: (context, params) => listApplicationFeePage(context.deps.db, context.scope, params, { charge: params.charge }),
    present: (page, context) => presentList(page, context.path, renderApplicationFee),
  }),
  defineRoute({
    method: 'GET', path: '/v1/application_fees/:id', operationId: 'GetApplicationFeesId', summary: 'Retrieve an application fee',
    parameters: noParameters,
    response: { kind: 'object', type: 'application_fee' },
    handle: (context) => retrieveApplicationFee(context.deps.db, context.scope, context.pathParams.id),
    present: (view) => presentObject(renderApplicationFee(view)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/application_fees/:id/refunds', operationId: 'PostApplicationFeesIdRefunds', summary: 'Refund an application fee, in full or in part',
    parameters: object({ amount: integer({ minimum: 1, maximum: maximumAmount }), metadata: metadata() }),
    response: { kind: 'object', type: 'fee_refund' },
    handle: (context, params) => createFeeRefund(context.work, context.deps, context.scope, context.pathParams.id, params),
    present: (row) => presentObject(renderFeeRefund(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/application_fees/:id/refunds', operationId: 'GetApplicationFeesIdRefunds', summary: "List an application fee's refunds",
    parameters: object({ ...listParameters }),
    response: { kind: 'list', type: 'fee_refund' },
    handle: (context, params) => listFeeRefundPage(context.deps.db, context.scope, context.pathParams.id, params),
    present: (page, context) => presentList(page, context.path, renderFeeRefund),
  }),
  defineRoute({
    method: 'GET', path: '/v1/application_fees/:fee/refunds/:id', operationId: 'GetApplicationFeesFeeRefundsId', summary: 'Retrieve an application fee refund',
    parameters: noParameters,
    response: { kind: 'object', type: 'fee_refund' },
    handle: (context) => retrieveFeeRefund(context.deps.db, context.scope, context.pathParams.fee, context.pathParams.id),
    present: (row) => presentObject(renderFeeRefund(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/application_fees/:fee/refunds/:id', operationId: 'PostApplicationFeesFeeRefundsId', summary: "Update an application fee refund's metadata",
    parameters: object({ metadata: metadata() }),
    response: { kind: 'object', type: 'fee_refund' },
    handle: (context, params) => updateFeeRefund(context.work, context.scope, context.pathParams.fee, context.pathParams.id, params.metadata),
    present: (row) => presentObject(renderFeeRefund(row)),
  }),
];
