import { missing } from '../../platform/errors.ts';
import { listPage } from '../../platform/pagination.ts';
import { renderEvent, type EventRow } from '../../events/service.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { array, object, string } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';

export const eventRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/events/:id', operationId: 'GetEventsId', summary: 'Retrieve an event',
    parameters: noParameters,
    response: { kind: 'object', type: 'event' },
    handle: async (context) => {
      const result = await context.deps.db.query<EventRow>('SELECT * FROM events WHERE id = $1 AND account_id = $2 AND livemode = $3', [context.pathParams.id, context.scope.accountId, context.scope.livemode]);
      if (!result.rows[0]) throw missing('event', context.pathParams.id);
      return result.rows[0];
    },
    present: (row) => presentObject(renderEvent(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/events', operationId: 'GetEvents', summary: 'List events',
    parameters: object({ ...listParameters, ...createdFilter, type: string({ maxLength: 100 }), types: array(string({ maxLength: 100 }), { maxItems: 20 }) }),
    response: { kind: 'list', type: 'event' },
    handle: (context, params) => {
      const conditions: { sql: string; value: unknown }[] = [];
      // Stripe's `type` accepts a `*` wildcard, as in `payment_intent.*`.
      if (params.type !== undefined) conditions.push({ sql: "type LIKE $? ESCAPE '\\'", value: params.type.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%') });
      if (params.types !== undefined) conditions.push({ sql: 'type = ANY($?)', value: params.types });
      return listPage<EventRow>(context.deps.db, { table: 'events', objectName: 'event', accountId: context.scope.accountId, livemode: context.scope.livemode, conditions }, params);
    },
    present: (page, context) => presentList(page, context.path, renderEvent),
  }),
];
