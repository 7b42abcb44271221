import { listLimitMax } from '../../platform/pagination.ts';
import { emptyable, integer, object, rangeFilter, required, string } from '../schema.ts';

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

/** Stripe's `shipping` hash of PaymentIntents and charges. */
export const shippingSchema = object({
  address: required(addressSchema),
  name: required(string({ maxLength: 256 })),
  carrier: emptyable(string({ maxLength: 256 })),
  phone: emptyable(string({ maxLength: 40 })),
  tracking_number: emptyable(string({ maxLength: 256 })),
});

/** The holder fields of Stripe's legacy `card` hash (tokens, customer card sources): name and flat address. */
export const legacyCardHolderFields = {
  name: emptyable(string({ maxLength: 256 })),
  address_line1: emptyable(string({ maxLength: 200 })),
  address_line2: emptyable(string({ maxLength: 200 })),
  address_city: emptyable(string({ maxLength: 200 })),
  address_state: emptyable(string({ maxLength: 200 })),
  address_zip: emptyable(string({ maxLength: 40 })),
  address_country: emptyable(string({ maxLength: 2, minLength: 2 })),
};
