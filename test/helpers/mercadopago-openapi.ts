import { OpenApiSpec } from './openapi-spec.ts';

/**
 * Validates Mercado Pago traffic against Mercado Pago's published OpenAPI 3.1 description (specs/mercadopago/
 * spec3.json, from github.com/mercadopago/openapi), with one reading the document needs: it marks some properties
 * `nullable: true` (an OpenAPI 3.0 keyword JSON Schema 2020-12 ignores) and leaves that out of others that Mercado
 * Pago's API does send as `null` when absent (`date_approved`, `description`, `external_resource_url`, ...). So an
 * optional property (not in its object's `required`) may be `null`; a present value must still have the documented
 * type, format and enum, and required properties may never be `null`.
 *
 * Usage: `mercadoPagoSpec().assertResponse('POST /v1/payments', 201, body)`.
 */

function allowNullForOptional(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) allowNullForOptional(item);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const object = schema as Record<string, unknown>;
  const properties = object.properties as Record<string, Record<string, unknown>> | undefined;
  if (properties && typeof properties === 'object') {
    const required = new Set(Array.isArray(object.required) ? (object.required as string[]) : []);
    for (const [name, property] of Object.entries(properties)) {
      if (required.has(name) || typeof property !== 'object' || property === null) continue;
      if (typeof property.type === 'string') property.type = [property.type, 'null'];
      else if (property.$ref !== undefined) properties[name] = { anyOf: [{ $ref: property.$ref }, { type: 'null' }] };
      if (Array.isArray(property.enum)) property.enum = [...(property.enum as unknown[]), null];
    }
  }
  for (const value of Object.values(object)) allowNullForOptional(value);
}

/** Loads (once per process) Mercado Pago's OpenAPI description. */
export function mercadoPagoSpec(): OpenApiSpec {
  return OpenApiSpec.load('mercadopago/spec3.json', { transform: (document) => allowNullForOptional([document.components, document.paths]) });
}
