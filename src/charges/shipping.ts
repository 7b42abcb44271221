import type { Address } from '../customers/repository.ts';

/** Stripe's charge `shipping` parameter. */
export interface ShippingInput {
  address: Address;
  name: string;
  carrier?: string | null;
  phone?: string | null;
  tracking_number?: string | null;
}

/** Stripe's charge `shipping` hash: every field present, unset ones null. */
export function chargeShipping(input: ShippingInput): Record<string, unknown> {
  return {
    address: {
      city: input.address.city ?? null,
      country: input.address.country ?? null,
      line1: input.address.line1 ?? null,
      line2: input.address.line2 ?? null,
      postal_code: input.address.postal_code ?? null,
      state: input.address.state ?? null,
    },
    carrier: input.carrier ?? null,
    name: input.name,
    phone: input.phone ?? null,
    tracking_number: input.tracking_number ?? null,
  };
}
