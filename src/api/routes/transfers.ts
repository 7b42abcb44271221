import { maximumAmount } from '../../platform/money.ts';
import { renderTransfer } from '../../transfers/render.ts';
import { createReversal, listReversalPage, renderTransferReversal, retrieveReversal, updateReversal } from '../../transfers/reversals.ts';
import { checkTransferInput, createTransfer, listTransferPage, retrieveTransfer, updateTransfer } from '../../transfers/service.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { boolean, emptyable, enumeration, integer, metadata, object, required, string } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';

export const transferRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/transfers', operationId: 'PostTransfers', summary: 'Send funds to a connected account',
    parameters: object({
      amount: required(integer({ minimum: 1, maximum: maximumAmount })),
      currency: required(string({ minLength: 3, maxLength: 3 })),
      destination: required(string({ maxLength: 255 })),
      source_transaction: string({ maxLength: 255 }),
      source_type: enumeration(['card']),
      transfer_group: string({ maxLength: 5000 }),
      description: string({ maxLength: 5000 }),
      metadata: metadata(),
    }),
    response: { kind: 'object', type: 'transfer' },
    precheck: (params) => checkTransferInput(params),
    handle: (context, params) => createTransfer(context.work, context.deps, context.scope, params),
    present: (view) => presentObject(renderTransfer(view)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/transfers/:id', operationId: 'GetTransfersTransfer', summary: 'Retrieve a transfer',
    parameters: noParameters,
    response: { kind: 'object', type: 'transfer' },
    handle: (context) => retrieveTransfer(context.deps.db, context.scope, context.pathParams.id),
    present: (view) => presentObject(renderTransfer(view)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/transfers/:id', operationId: 'PostTransfersTransfer', summary: "Update a transfer's description and metadata",
    parameters: object({ description: emptyable(string({ maxLength: 5000 })), metadata: metadata() }),
    response: { kind: 'object', type: 'transfer' },
    handle: (context, params) => updateTransfer(context.work, context.scope, context.pathParams.id, params),
    present: (view) => presentObject(renderTransfer(view)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/transfers', operationId: 'GetTransfers', summary: 'List transfers',
    parameters: object({ ...listParameters, ...createdFilter, destination: string({ maxLength: 255 }), transfer_group: string({ maxLength: 5000 }) }),
    response: { kind: 'list', type: 'transfer' },
    handle: (context, params) => listTransferPage(context.deps.db, context.scope, params, { destination: params.destination, transfer_group: params.transfer_group }),
    present: (page, context) => presentList(page, context.path, renderTransfer),
  }),
  defineRoute({
    method: 'POST', path: '/v1/transfers/:id/reversals', operationId: 'PostTransfersIdReversals', summary: 'Reverse a transfer, in full or in part',
    parameters: object({
      amount: integer({ minimum: 1, maximum: maximumAmount }),
      description: string({ maxLength: 5000 }),
      metadata: metadata(),
      refund_application_fee: boolean(),
    }),
    response: { kind: 'object', type: 'transfer_reversal' },
    handle: (context, params) => createReversal(context.work, context.deps, context.scope, context.pathParams.id, params),
    present: (row) => presentObject(renderTransferReversal(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/transfers/:id/reversals', operationId: 'GetTransfersIdReversals', summary: "List a transfer's reversals",
    parameters: object({ ...listParameters }),
    response: { kind: 'list', type: 'transfer_reversal' },
    handle: (context, params) => listReversalPage(context.deps.db, context.scope, context.pathParams.id, params),
    present: (page, context) => presentList(page, context.path, renderTransferReversal),
  }),
  defineRoute({
    method: 'GET', path: '/v1/transfers/:transfer/reversals/:id', operationId: 'GetTransfersTransferReversalsId', summary: 'Retrieve a transfer reversal',
    parameters: noParameters,
    response: { kind: 'object', type: 'transfer_reversal' },
    handle: (context) => retrieveReversal(context.deps.db, context.scope, context.pathParams.transfer, context.pathParams.id),
    present: (row) => presentObject(renderTransferReversal(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/transfers/:transfer/reversals/:id', operationId: 'PostTransfersTransferReversalsId', summary: "Update a transfer reversal's metadata",
    parameters: object({ metadata: metadata() }),
    response: { kind: 'object', type: 'transfer_reversal' },
    handle: (context, params) => updateReversal(context.work, context.scope, context.pathParams.transfer, context.pathParams.id, params.metadata),
    present: (row) => presentObject(renderTransferReversal(row)),
  }),
];
