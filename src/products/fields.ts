import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { ProductFields } from './repository.ts';

/** What a request may set on a product (create, update, or a price's `product_data`); validated by the route's schema. */
export interface ProductInput {
  name?: string;
  active?: boolean;
  description?: string | null;
  images?: string[] | null;
  marketing_features?: { name: string }[] | null;
  metadata?: MetadataUpdate;
  url?: string | null;
  statement_descriptor?: string | null;
  unit_label?: string | null;
  shippable?: boolean;
  tax_code?: string | null;
}

/** `undefined` keeps the current value; `null` (sent as '') clears it. */
function pick<T>(next: T | null | undefined, current: T | null): T | null {
  return next === undefined ? current : next;
}

/** The fields of a new product (`name` is required by the schema; a product is active unless told otherwise). */
export function newProductFields(input: ProductInput & { name: string }, defaultPriceId: string | null): ProductFields {
  return {
    name: input.name,
    active: input.active ?? true,
    description: input.description ?? null,
    images: input.images ?? [],
    marketing_features: input.marketing_features ?? [],
    metadata: mergeMetadata({}, input.metadata),
    url: input.url ?? null,
    statement_descriptor: input.statement_descriptor ?? null,
    unit_label: input.unit_label ?? null,
    shippable: input.shippable ?? null,
    tax_code: input.tax_code ?? null,
    default_price_id: defaultPriceId,
  };
}

/** A product's fields after an update (`default_price_id` is decided by the caller, which checks the price). */
export function updatedProductFields(current: ProductFields, input: ProductInput, defaultPriceId: string | null): ProductFields {
  return {
    name: input.name ?? current.name,
    active: input.active ?? current.active,
    description: pick(input.description, current.description),
    images: input.images === undefined ? current.images : input.images ?? [],
    marketing_features: input.marketing_features === undefined ? current.marketing_features : input.marketing_features ?? [],
    metadata: mergeMetadata(current.metadata, input.metadata),
    url: pick(input.url, current.url),
    statement_descriptor: pick(input.statement_descriptor, current.statement_descriptor),
    unit_label: pick(input.unit_label, current.unit_label),
    shippable: input.shippable ?? current.shippable,
    tax_code: pick(input.tax_code, current.tax_code),
    default_price_id: defaultPriceId,
  };
}
