import { renderMandate } from '../../mandates/render.ts';
import { retrieveMandate } from '../../mandates/service.ts';
import { mandatePageUrl } from '../../mandates/page-url.ts';
import { defineRoute, presentObject } from '../route.ts';
import { noParameters } from './common.ts';

export const mandateRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/mandates/:id', operationId: 'GetMandatesMandate', summary: 'Retrieve a Mandate',
    parameters: noParameters,
    response: { kind: 'object', type: 'mandate' },
    handle: async (context) => {
      const row = await retrieveMandate(context.deps.db, context.scope, context.pathParams.id);
      return { row, url: mandatePageUrl(context.deps, row.id) };
    },
    present: (found: { row: Awaited<ReturnType<typeof retrieveMandate>>; url: string }) => presentObject(renderMandate(found.row, found.url)),
  }),
];
