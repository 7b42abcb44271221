import { missing } from '../../platform/errors.ts';
import { renderCharge } from '../../payments/render.ts';
import { findCharge, listCharges } from '../../payments/repository.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { object, string } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';

export const chargeRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/charges/:id', operationId: 'GetChargesCharge', summary: 'Retrieve a charge',
    parameters: noParameters,
    response: { kind: 'object', type: 'charge' },
    handle: async (context) => {
      const charge = await findCharge(context.deps.db, context.scope, context.pathParams.id);
      if (!charge) throw missing('charge', context.pathParams.id);
      return charge;
    },
    present: (row) => presentObject(renderCharge(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/charges', operationId: 'GetCharges', summary: 'List charges',
    parameters: object({ ...listParameters, ...createdFilter, customer: string({ maxLength: 255 }), payment_intent: string({ maxLength: 255 }) }),
    response: { kind: 'list', type: 'charge' },
    handle: (context, params) => listCharges(context.deps.db, context.scope, params, { customer: params.customer, payment_intent: params.payment_intent }),
    present: (page, context) => presentList(page, context.path, renderCharge),
  }),
];
