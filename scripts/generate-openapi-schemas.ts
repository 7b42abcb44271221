// Regenerates src/api/openapi/stripe-schemas.json, the response schemas of Payrail's OpenAPI document:
//   node --import tsx scripts/generate-openapi-schemas.ts [path/to/spec3.json]
//
// For each Stripe component schema Payrail's answers pass through (src/api/openapi/rendered-fields.json, recorded by
// test/stripe-spec-conformance.test.ts), it takes Stripe's schema from spec3.json (API 2024-04-10; default
// ../shared/specs/stripe/spec3.json beside the repository), keeps only the fields Payrail renders, adds Payrail's
// extension fields (src/api/openapi-extensions.ts), and converts OpenAPI 3.0 `nullable` into OpenAPI 3.1. The result
// is checked in, so the server never reads ../shared at run time; src/api/openapi.test.ts fails when it is stale.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expandableFields } from '../src/api/expand.ts';
import { payrailExtensionSchemas, withNewerEnumValues } from '../src/api/openapi-extensions.ts';

type Schema = Record<string, unknown>;
interface StripeDocument {
  info: { version: string };
  components: { schemas: Record<string, Schema> };
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const defaultStripeSpecFile = process.env.PAYRAIL_STRIPE_SPEC ?? path.resolve(root, '../shared/specs/stripe/spec3.json');
export const renderedFieldsFile = path.join(root, 'src/api/openapi/rendered-fields.json');
export const generatedSchemasFile = path.join(root, 'src/api/openapi/stripe-schemas.json');

const referencePrefix = '#/components/schemas/';
const newerFieldDescription = 'Added by Stripe after API version 2024-04-10 (declared in the `stripe` package types); rendered by Payrail for clients on newer versions.';

/**
 * One of Stripe's schemas in OpenAPI 3.1 terms: `nullable` becomes a `null` type (or a null branch), vendor `x-`
 * keywords go, and references to components Payrail never renders become a stub saying so (such fields are always
 * null in Payrail's answers), so the closure of references stays within what Payrail serves.
 */
function convert(schema: unknown, rendered: Record<string, string[]>): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const source = schema as Schema;
  if (typeof source.$ref === 'string') {
    const name = source.$ref.slice(referencePrefix.length);
    if (name in rendered) return { $ref: source.$ref };
    return { type: 'object', description: `Stripe's \`${name}\`: Payrail does not set it.` };
  }
  const result: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('x-') || key === 'nullable') continue;
    if (key === 'properties') result.properties = Object.fromEntries(Object.entries(value as Schema).map(([name, property]) => [name, convert(property, rendered)]));
    else if (key === 'anyOf' || key === 'oneOf' || key === 'allOf') result[key] = (value as unknown[]).map((item) => convert(item, rendered));
    else if (key === 'items' || key === 'additionalProperties') result[key] = convert(value, rendered);
    else result[key] = value;
  }
  if (source.nullable === true) {
    if (typeof result.type === 'string' && !result.anyOf) {
      result.type = [result.type, 'null'];
      if (Array.isArray(result.enum)) result.enum = [...result.enum, null];
      return result;
    }
    if (Array.isArray(result.anyOf)) return { ...result, anyOf: [...result.anyOf, { type: 'null' }] };
    return { anyOf: [result, { type: 'null' }] };
  }
  return result;
}

/**
 * A field Stripe can expand (its `x-expandableFields`) that Payrail does not (src/api/expand.ts) is only ever an id or
 * null in Payrail's answers: its object branches go. Besides being true, this keeps the document's graph of references
 * to what Payrail serves; following them (a Payment Link's `on_behalf_of` to the whole `account` object, from every
 * Checkout Session) made Redoc's renderer grow without bound and crash (test/api-reference-page.test.ts).
 */
function withoutUnexpandedObjects(name: string, field: string, component: Schema, property: unknown): unknown {
  const expandable = (component['x-expandableFields'] ?? []) as string[];
  const payrail = (expandableFields as Record<string, Record<string, string> | undefined>)[name];
  // Only objects Payrail's expansion table knows (a nested hash such as a customer's invoice settings is named otherwise there).
  if (!expandable.includes(field) || !payrail || Object.hasOwn(payrail, field)) return property;
  const source = property as Schema;
  if (!Array.isArray(source.anyOf)) return property;
  const kept = (source.anyOf as Schema[]).filter((branch) => typeof branch.$ref !== 'string');
  if (kept.length === source.anyOf.length || kept.length === 0) return property;
  return { ...source, anyOf: kept };
}

/** The response schemas: each rendered Stripe component restricted to the rendered fields, closed. */
export function generateStripeSchemas(document: StripeDocument, rendered: Record<string, string[]>): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const [name, fields] of Object.entries(rendered)) {
    const stripeComponent = document.components.schemas[name];
    const component = stripeComponent ? withNewerEnumValues(name, stripeComponent) as Schema : undefined;
    if (!component) throw new Error(`rendered-fields.json names ${name}, which Stripe's document does not have`);
    const stripeProperties = (component.properties ?? {}) as Record<string, Schema>;
    const properties: Record<string, unknown> = {};
    for (const field of fields) {
      const extension = payrailExtensionSchemas[name]?.[field];
      if (field in stripeProperties) properties[field] = convert(withoutUnexpandedObjects(name, field, component, stripeProperties[field]), rendered);
      else if (extension) properties[field] = extension;
      else if (field.startsWith('payrail_')) throw new Error(`${name}.${field}: describe the extension in src/api/openapi-extensions.ts`);
      else properties[field] = { description: newerFieldDescription };
    }
    const required = ((component.required ?? []) as string[]).filter((field) => fields.includes(field));
    schemas[name] = {
      ...(component.title ? { title: component.title } : {}),
      ...(component.description ? { description: component.description } : {}),
      type: 'object',
      ...(required.length > 0 ? { required } : {}),
      properties,
      additionalProperties: false,
    };
  }
  return { stripe_api_version: document.info.version, schemas };
}

function main(): void {
  const specFile = process.argv[2] ?? defaultStripeSpecFile;
  const document = JSON.parse(fs.readFileSync(specFile, 'utf8')) as StripeDocument;
  const rendered = JSON.parse(fs.readFileSync(renderedFieldsFile, 'utf8')) as Record<string, string[]>;
  fs.writeFileSync(generatedSchemasFile, `${JSON.stringify(generateStripeSchemas(document, rendered), null, 1)}\n`);
  console.log(`wrote ${path.relative(root, generatedSchemasFile)} (${Object.keys(rendered).length} schemas from Stripe API ${document.info.version})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
