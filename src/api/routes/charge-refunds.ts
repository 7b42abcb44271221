import { missing } from '../../platform/errors.ts';
import { findCharge } from '../../payments/repository.ts';
import { renderRefund } from '../../refunds/render.ts';
import { listRefundPage, retrieveRefund } from '../../refunds/service.ts';
import { defineRoute, presentList, presentObject, type RouteContext } from '../route.ts';
import { object } from '../schema.ts';
import { listParameters, noParameters } from './common.ts';

async function requireCharge(context: RouteContext): Promise<string> {
  const charge = await findCharge(context.deps.db, context.scope, context.pathParams.id);
  if (!charge) throw missing('charge', context.pathParams.id, 'charge');
  return charge.id;
}

/** A charge's refunds, where the `url` of an expanded `charge.refunds` list points. */
export const chargeRefundRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/charges/:id/refunds', operationId: 'GetChargesChargeRefunds', summary: "List a charge's refunds",
    parameters: object(listParameters),
    response: { kind: 'list', type: 'refund' },
    handle: async (context, params) => listRefundPage(context.deps.db, context.scope, params, { charge: await requireCharge(context) }),
    present: (page, context) => presentList(page, context.path, renderRefund),
  }),
  defineRoute({
    method: 'GET', path: '/v1/charges/:id/refunds/:refund', operationId: 'GetChargesChargeRefundsRefund', summary: 'Retrieve one refund of a charge',
    parameters: noParameters,
    response: { kind: 'object', type: 'refund' },
    handle: async (context) => {
      const chargeId = await requireCharge(context);
      const refund = await retrieveRefund(context.deps.db, context.scope, context.pathParams.refund);
      if (refund.charge_id !== chargeId) throw missing('refund', context.pathParams.refund, 'refund');
      return refund;
    },
    present: (row) => presentObject(renderRefund(row)),
  }),
];
