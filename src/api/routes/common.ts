import { listLimitMax } from '../../platform/pagination.ts';
import { emptyable, integer, object, rangeFilter, string } from '../schema.ts';

/** Stripe's list parameters, shared by every list endpoint. */
export const listParameters = {
  limit: integer({ minimum: 1, maximum: listLimitMax, description: 'Number of objects to return, 1 to 100 (default 10).' }),
  starting_after: string({ maxLength: 255, description: 'Cursor: an object id; returns the page after it.' }),
  ending_before: string({ maxLength: 255, description: 'Cursor: an object id; returns the page before it.' }),
};

export const createdFilter = { created: rangeFilter() };

export const addressSchema = object({
  city: emptyable(string({ maxLength: 200 })),
  country: emptyable(string({ maxLength: 2, minLength: 2 })),
  line1: emptyable(string({ maxLength: 200 })),
  line2: emptyable(string({ maxLength: 200 })),
  postal_code: emptyable(string({ maxLength: 40 })),
  state: emptyable(string({ maxLength: 200 })),
});

export const noParameters = object({});
