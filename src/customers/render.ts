import { fullAddress } from './address.ts';
import type { CustomerRow, Shipping } from './repository.ts';

/** A customer's `shipping` as Stripe renders it: address, name and phone (null when not given). */
function renderShipping(shipping: Shipping): Record<string, unknown> {
  return { address: fullAddress(shipping.address ?? {}), name: shipping.name, phone: shipping.phone ?? null };
}

/** The Stripe `customer` object. */
export function renderCustomer(row: CustomerRow): Record<string, unknown> {
  if (row.deleted) return { id: row.id, object: 'customer', deleted: true };
  return {
    id: row.id,
    object: 'customer',
    address: row.address && fullAddress(row.address),
    balance: 0,
    created: row.created,
    currency: null,
    default_source: row.default_source,
    delinquent: false,
    description: row.description,
    discount: null,
    email: row.email,
    invoice_prefix: null,
    invoice_settings: {
      custom_fields: row.invoice_settings.custom_fields ?? null,
      default_payment_method: row.invoice_settings.default_payment_method ?? null,
      footer: row.invoice_settings.footer ?? null,
      rendering_options: null,
    },
    livemode: row.livemode,
    metadata: row.metadata,
    name: row.name,
    next_invoice_sequence: 1,
    phone: row.phone,
    preferred_locales: [],
    shipping: row.shipping && renderShipping(row.shipping),
    tax_exempt: 'none',
    test_clock: null,
  };
}
