import type { ProductRow } from './repository.ts';

/** The Stripe `product` object. */
export function renderProduct(row: ProductRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'product',
    active: row.active,
    created: row.created,
    default_price: row.default_price_id,
    description: row.description,
    images: row.images,
    livemode: row.livemode,
    marketing_features: row.marketing_features,
    metadata: row.metadata,
    name: row.name,
    package_dimensions: null,
    shippable: row.shippable,
    statement_descriptor: row.statement_descriptor,
    tax_code: row.tax_code,
    // Newer Stripe fields (the `stripe` package's types): no tax details without Stripe Tax; products made through
    // the API are services unless they are the goods of Stripe's retired Orders API.
    tax_details: null,
    type: 'service',
    unit_label: row.unit_label,
    updated: row.updated,
    url: row.url,
  };
}

/** What DELETE answers, as at Stripe (the product is gone afterwards). */
export function renderDeletedProduct(id: string): Record<string, unknown> {
  return { id, object: 'product', deleted: true };
}
