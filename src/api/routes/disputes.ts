import { closeDispute } from '../../disputes/close.ts';
import { evidenceFileFields, evidenceTextFields } from '../../disputes/evidence.ts';
import { listDisputePage, renderDisputeView, retrieveDispute } from '../../disputes/service.ts';
import { updateDisputeEvidence } from '../../disputes/update.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { boolean, emptyable, metadata, object, string } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';

/** Stripe's `evidence` hash: text fields with their limits, file fields naming `file_` ids. */
const evidenceSchema = object(Object.fromEntries([
  ...Object.entries(evidenceTextFields).map(([field, maxLength]) => [field, emptyable(string({ maxLength }))]),
  ...evidenceFileFields.map((field) => [field, emptyable(string({ maxLength: 255, description: 'A file_ id of a file uploaded with purpose dispute_evidence.' }))]),
]));

export const disputeRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/disputes', operationId: 'GetDisputes', summary: 'List disputes',
    parameters: object({ ...listParameters, ...createdFilter, charge: string({ maxLength: 5000 }), payment_intent: string({ maxLength: 5000 }) }),
    response: { kind: 'list', type: 'dispute' },
    handle: (context, params) => listDisputePage(context.deps, context.scope, params, { charge: params.charge, payment_intent: params.payment_intent }),
    present: (page, context) => presentList(page, context.path, renderDisputeView),
  }),
  defineRoute({
    method: 'GET', path: '/v1/disputes/:id', operationId: 'GetDisputesDispute', summary: 'Retrieve a dispute',
    parameters: noParameters,
    response: { kind: 'object', type: 'dispute' },
    handle: (context) => retrieveDispute(context.deps, context.scope, context.pathParams.id),
    present: (view) => presentObject(renderDisputeView(view)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/disputes/:id', operationId: 'PostDisputesDispute', summary: "Update a dispute's evidence and metadata, and submit the evidence",
    parameters: object({ evidence: evidenceSchema, metadata: metadata(), submit: boolean() }),
    response: { kind: 'object', type: 'dispute' },
    handle: (context, params) => updateDisputeEvidence(context.work, context.deps, context.scope, context.pathParams.id, params as Parameters<typeof updateDisputeEvidence>[4]),
    present: (view) => presentObject(renderDisputeView(view)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/disputes/:id/close', operationId: 'PostDisputesDisputeClose', summary: 'Close a dispute, accepting it as lost',
    parameters: noParameters,
    response: { kind: 'object', type: 'dispute' },
    handle: (context) => closeDispute(context.work, context.deps, context.scope, context.pathParams.id),
    present: (view) => presentObject(renderDisputeView(view)),
  }),
];
