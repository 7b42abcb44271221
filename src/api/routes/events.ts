import { missing } from '../../platform/errors.ts';
import { findEvent, listEvents } from '../../events/repository.ts';
import { renderEvent } from '../../events/service.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { array, object, string } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';

export const eventRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/events/:id', operationId: 'GetEventsId', summary: 'Retrieve an event',
    parameters: noParameters,
    response: { kind: 'object', type: 'event' },
    handle: async (context) => {
      const event = await findEvent(context.deps.db, context.scope, context.pathParams.id);
      if (!event) throw missing('event', context.pathParams.id);
      return event;
    },
    present: (row) => presentObject(renderEvent(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/events', operationId: 'GetEvents', summary: 'List events',
    parameters: object({ ...listParameters, ...createdFilter, type: string({ maxLength: 100 }), types: array(string({ maxLength: 100 }), { maxItems: 20 }) }),
    response: { kind: 'list', type: 'event' },
    handle: (context, params) => listEvents(context.deps.db, context.scope, params, { type: params.type, types: params.types }),
    present: (page, context) => presentList(page, context.path, renderEvent),
  }),
];
