import type { Address } from './repository.ts';

/** Stripe's `address` hash as it renders it: all six fields, null where not given (an update may set only some). */
export function fullAddress(address: Address): Record<string, unknown> {
  return {
    city: address.city ?? null,
    country: address.country ?? null,
    line1: address.line1 ?? null,
    line2: address.line2 ?? null,
    postal_code: address.postal_code ?? null,
    state: address.state ?? null,
  };
}

/** Stripe's `shipping` parameter of PaymentIntents and charges. */
export interface ShippingInput {
  address: Address;
  name: string;
  carrier?: string | null;
  phone?: string | null;
  tracking_number?: string | null;
}

/** Stripe's PaymentIntent and charge `shipping` hash: every field present, unset ones null. */
export function fullShipping(input: ShippingInput): Record<string, unknown> {
  return {
    address: fullAddress(input.address),
    carrier: input.carrier ?? null,
    name: input.name,
    phone: input.phone ?? null,
    tracking_number: input.tracking_number ?? null,
  };
}
