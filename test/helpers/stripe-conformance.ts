import { withNewerEnumValues } from '../../src/api/openapi-extensions.ts';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApi } from '../../src/api/openapi.ts';
import { allRoutes } from '../../src/api/routes/index.ts';
import { OpenApiSpec } from './openapi-spec.ts';

/**
 * Checks Payrail's answers against Stripe's published OpenAPI description (API 2024-04-10), closed: an object may
 * carry only the fields Stripe documents for it (plus the allowlist below), and must carry every field Stripe marks
 * required. Stripe's document leaves objects open (no `additionalProperties`), which would let any invented field
 * through, so every schema with `properties` is closed when the document is loaded.
 *
 * The spec is not vendored (6 MB): it is read from shared/specs beside the repository (CI checks it out there), or
 * from PAYRAIL_STRIPE_SPEC.
 */

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const stripeSpecFile = process.env.PAYRAIL_STRIPE_SPEC ?? path.resolve(repositoryRoot, '../shared/specs/stripe/spec3.json');

/** Why a field Stripe's 2024-04-10 document lacks may appear in an answer. */
export type Allowance =
  /**
   * A field Stripe added after 2024-04-10: where the `stripe` package declares it, as `<file in esm/resources>#<interface>`
   * (`Charges.d.ts#Card` is the charge's payment_method_details.card).
   */
  | { newerStripeField: string }
  /** A documented Payrail extension (always prefixed `payrail_`): where it is documented and what it holds. */
  | { payrailExtension: string };

/**
 * Fields Payrail renders that Stripe's 2024-04-10 document does not have, per component schema. A test checks each
 * newer field against the declaration file named and each extension for its `payrail_` prefix.
 */
export const allowedExtraFields: Record<string, Record<string, Allowance>> = {
  charge: {
    payrail_routing: { payrailExtension: 'docs/routing.md: the connector, configuration and attempts that processed the charge.' },
    // Stripe's document omits the deprecated Sources field; the types (and Stripe's answers) still carry it.
    source: { newerStripeField: 'Charges.d.ts#Charge' },
  },
  payment_intent: {
    source: { newerStripeField: 'PaymentIntents.d.ts#PaymentIntent' },
  },
  payment_method: {
    upi: { newerStripeField: 'PaymentMethods.d.ts#PaymentMethod' },
  },
  payment_method_details: {
    upi: { newerStripeField: 'Charges.d.ts#PaymentMethodDetails' },
  },
  payment_intent_payment_method_options: {
    upi: { newerStripeField: 'PaymentIntents.d.ts#PaymentMethodOptions' },
  },
  payment_intent_next_action: {
    // UPI intent (the Razorpay connector): the upi:// link the payer's app opens.
    upi_handle_redirect_or_display_qr_code: { newerStripeField: 'PaymentIntents.d.ts#NextAction' },
  },
  payment_method_configuration: {
    pix: { newerStripeField: 'PaymentMethodConfigurations.d.ts#PaymentMethodConfiguration' },
    upi: { newerStripeField: 'PaymentMethodConfigurations.d.ts#PaymentMethodConfiguration' },
  },
  payment_method_card: {
    regulated_status: { newerStripeField: 'PaymentMethods.d.ts#Card' },
  },
  payment_intent_payment_method_options_sepa_debit: {
    target_date: { newerStripeField: 'PaymentIntents.d.ts#SepaDebit' },
  },
  payment_method_details_sepa_debit: {
    payrail_expected_debit_date: { payrailExtension: "docs/payment-methods.md: the day the debit is expected on the customer's account, which the SEPA pre-notification announces." },
  },
  payment_method_details_card: {
    network_transaction_id: { newerStripeField: 'Charges.d.ts#Card' },
    regulated_status: { newerStripeField: 'Charges.d.ts#Card' },
    payrail_strong_customer_authentication: { payrailExtension: 'docs/sca.md: the strong customer authentication decision (scope, action, exemption) and the liability shift.' },
  },
  payment_method_paypal: {
    country: { newerStripeField: 'PaymentMethods.d.ts#Paypal' },
  },
  payment_method_details_paypal: {
    country: { newerStripeField: 'Charges.d.ts#Paypal' },
  },
  payout: {
    payout_method: { newerStripeField: 'Payouts.d.ts#Payout' },
    trace_id: { newerStripeField: 'Payouts.d.ts#Payout' },
  },
  balance_transaction: {
    balance_type: { newerStripeField: 'BalanceTransactions.d.ts#BalanceTransaction' },
  },
  product: {
    tax_details: { newerStripeField: 'Products.d.ts#Product' },
    type: { newerStripeField: 'Products.d.ts#Product' },
  },
  account: {
    payrail_settings: { payrailExtension: 'docs/api.md: country, settlement currencies and pricing of the account.' },
  },
  balance: {
    payrail_authorized: { payrailExtension: 'docs/api.md: authorization holds not yet captured, per currency.' },
    payrail_in_transit: { payrailExtension: 'docs/api.md: payouts sent to the bank and not yet paid, per currency.' },
  },
  webhook_endpoint: {
    payrail_disabled_reason: { payrailExtension: 'docs/webhooks.md: why Payrail disabled the endpoint (repeated failures), null otherwise.' },
    payrail_previous_secret_expires_at: { payrailExtension: 'docs/webhooks.md: when the secret replaced by roll_secret stops signing.' },
  },
};

/**
 * Operations Payrail serves that Stripe does not have (documented Payrail extensions). Their answers are not
 * checked against Stripe's document; any other operation missing from it is a violation.
 */
export const payrailOnlyOperations: { pattern: RegExp; why: string }[] = [
  { pattern: /^(GET|POST|DELETE) \/v1\/payrail\//, why: 'Payrail extensions live under /v1/payrail (connector configurations, routing profile).' },
  { pattern: /^GET \/v1\/webhook_endpoints\/[^/]+\/attempts$/, why: 'Payrail extension: delivery attempts of an endpoint (docs/webhooks.md).' },
  { pattern: /^POST \/v1\/webhook_endpoints\/[^/]+\/roll_secret$/, why: 'Payrail extension: roll the signing secret (Stripe offers it in its Dashboard only; docs/webhooks.md).' },
  { pattern: /^POST \/v1\/events\/[^/]+\/resend$/, why: 'Payrail extension: re-send an event (docs/webhooks.md).' },
  { pattern: /^GET \/v1\/(openapi\.json|docs)$/, why: "Payrail's own OpenAPI document and API reference page." },
];

type Schema = Record<string, unknown>;

/** Closes a schema and everything inside it; `extra` names fields to admit (any value) at this level. */
function closeSchema(schema: unknown, extra?: Record<string, Allowance>): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const result: Schema = { ...(schema as Schema) };
  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(result[keyword])) result[keyword] = (result[keyword] as unknown[]).map((item) => closeSchema(item));
  }
  if (result.items) result.items = closeSchema(result.items);
  if (result.additionalProperties && typeof result.additionalProperties === 'object') result.additionalProperties = closeSchema(result.additionalProperties);
  if (result.properties) {
    const properties: Schema = {};
    for (const [name, property] of Object.entries(result.properties as Schema)) properties[name] = closeSchema(property);
    for (const name of Object.keys(extra ?? {})) properties[name] ??= {};
    result.properties = properties;
    result.additionalProperties ??= false;
  }
  // OpenAPI 3.0's `nullable` is not JSON Schema; Ajv accepts it only beside `type`, and Stripe puts it beside anyOf.
  if (result.nullable === true) {
    delete result.nullable;
    return { anyOf: [result, { type: 'null' }] };
  }
  return result;
}

/** Closes every component schema and every inline response schema (list envelopes) of Stripe's document. */
export function closeStripeDocument(document: Record<string, unknown>): void {
  const components = (document.components as { schemas: Record<string, unknown> }).schemas;
  for (const [name, schema] of Object.entries(components)) components[name] = closeSchema(withNewerEnumValues(name, schema as Record<string, unknown>), allowedExtraFields[name]);
  const paths = document.paths as Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      for (const response of Object.values(operation.responses ?? {})) {
        for (const media of Object.values(response.content ?? {})) if (media.schema) media.schema = closeSchema(media.schema);
      }
    }
  }
}

/** Stripe's own formats: `unix-time` timestamps (the integer type is the check) and OpenAPI's numeric formats. */
const stripeFormats = ['unix-time', 'int32', 'int64', 'float', 'double', 'decimal'];

export function stripeSpec(): OpenApiSpec {
  // CI checks shared/ out beside the repository; say so rather than fail with a bare ENOENT.
  if (!fs.existsSync(stripeSpecFile)) throw new Error(`Stripe's OpenAPI description is not at ${stripeSpecFile}: put shared/ beside the repository or set PAYRAIL_STRIPE_SPEC`);
  return OpenApiSpec.load(stripeSpecFile, {
    dialect: 'draft-07',
    transform: closeStripeDocument,
    acceptedFormats: stripeFormats,
  });
}

/** The component schema describing one rendered object, by its `object` field (and `deleted`). */
function componentFor(spec: OpenApiSpec, body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { object, deleted } = body as { object?: unknown; deleted?: unknown };
  if (typeof object !== 'string') return undefined;
  const name = deleted === true ? `deleted_${object}` : object;
  return spec.hasComponent(name) ? name : undefined;
}

/**
 * The violations in one answer: the body against the operation's documented response (or Stripe's `error` for 4xx
 * and 5xx), and the `data.object` of every event against the schema of its object (the event schema leaves it open).
 */
export function stripeViolations(method: string, urlPath: string, status: number, body: unknown): string[] {
  if (!urlPath.startsWith('/v1/')) return [];
  const operation = `${method.toUpperCase()} ${urlPath}`;
  if (payrailOnlyOperations.some(({ pattern }) => pattern.test(operation))) return [];
  const spec = stripeSpec();
  if (status >= 400) return deepest(spec.validateComponent('error', body));
  if (!spec.has(method, urlPath)) return [`Stripe has no operation ${operation} (add it to payrailOnlyOperations if it is a Payrail extension)`];
  let errors = deepest(spec.validateResponse(spec.operationFor(method, urlPath), status, body));
  if (errors.length > 0) {
    // The documented response is often an anyOf (object or deleted object) whose errors list every branch; the
    // schema of the object actually returned says precisely what is wrong.
    const items = (body as { object?: string; data?: unknown[] }).object === 'list' ? ((body as { data: unknown[] }).data ?? []) : [body];
    const precise = items.flatMap((item, index) => {
      const component = componentFor(spec, item);
      const prefix = items.length === 1 && item === body ? '' : `/data/${index}`;
      return component ? deepest(spec.validateComponent(component, item)).map((error) => `${prefix}${error} [${component}]`) : [];
    });
    if (precise.length > 0) errors = precise;
  }
  const events = (body as { object?: string }).object === 'list' ? ((body as { data: unknown[] }).data ?? []) : [body];
  for (const event of events as { object?: string; data?: { object?: unknown } }[]) {
    if (event?.object !== 'event') continue;
    // Events about Payrail-only objects (`payrail.connector_configuration`, `payrail.routing_profile`) are extensions.
    if (String((event.data?.object as { object?: unknown })?.object).startsWith('payrail.')) continue;
    const component = componentFor(spec, event.data?.object);
    if (!component) errors.push(`event data.object ${JSON.stringify((event.data?.object as { object?: string })?.object)} has no Stripe schema`);
    else errors.push(...deepest(spec.validateComponent(component, event.data!.object)).map((error) => `event ${(event as { type?: string }).type} data.object${error} [${component}]`));
  }
  return errors;
}

/**
 * Keeps the most precise errors: a nullable or expandable field is an anyOf (null, id, object), so one wrong nested
 * field also fails the other branches at every level above it ("must be null", "must match a schema in anyOf").
 */
function deepest(errors: string[]): string[] {
  const pathOf = (error: string) => error.split(' ', 1)[0].replace(/^\(root\)$/, '');
  const paths = errors.map(pathOf);
  const unique = [...new Set(errors)];
  return unique.filter((error) => {
    const own = pathOf(error);
    return !paths.some((other) => other !== own && other.startsWith(`${own}/`)) || /additional|required/.test(error);
  });
}

export interface ConformanceViolation {
  operation: string;
  status: number;
  errors: string[];
}

type Document = { components: { schemas: Record<string, Schema> }; paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }>> };
let rawDocument: Document | undefined;

/** Stripe's document as published (not closed), read once. */
export function rawStripeDocument(): Document {
  rawDocument ??= JSON.parse(fs.readFileSync(stripeSpecFile, 'utf8')) as Document;
  return rawDocument;
}

/** Which fields of which Stripe component schema Payrail's answers were seen to carry (component -> field names). */
export type RenderedFields = Map<string, Set<string>>;

const referencePrefix = '#/components/schemas/';

/**
 * Walks an answer alongside the schema that describes it and notes, for every component schema it passes through,
 * the fields the answer has. An anyOf (id or object, object or deleted object, nullable) is followed into the branch
 * the value is: the component whose `object` enum names the value's `object`, deleted or not as the value is.
 */
export function recordRenderedFields(schema: Schema | undefined, value: unknown, into: RenderedFields): void {
  if (!schema || value === null || typeof value !== 'object') return;
  const document = rawStripeDocument();
  if (Array.isArray(value)) {
    for (const item of value) recordRenderedFields(schema.items as Schema | undefined, item, into);
    return;
  }
  const record = value as Record<string, unknown>;
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.slice(referencePrefix.length);
    const component = document.components.schemas[name];
    if (component.properties) {
      const fields = into.get(name) ?? new Set<string>();
      for (const field of Object.keys(record)) fields.add(field);
      into.set(name, fields);
    }
    recordRenderedFields({ ...component, $ref: undefined }, value, into);
    return;
  }
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (branches) {
    recordRenderedFields(chooseBranch(branches, record), value, into);
    return;
  }
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (properties) for (const [field, item] of Object.entries(record)) recordRenderedFields(properties[field], item, into);
  // A hash keyed by data (a price's `currency_options`, keyed by currency): each value is of the one schema given.
  const additional = schema.additionalProperties;
  if (!properties && additional !== null && typeof additional === 'object') for (const item of Object.values(record)) recordRenderedFields(additional as Schema, item, into);
}

function chooseBranch(branches: Schema[], value: Record<string, unknown>): Schema | undefined {
  const document = rawStripeDocument();
  const resolve = (branch: Schema) => (typeof branch.$ref === 'string' ? document.components.schemas[branch.$ref.slice(referencePrefix.length)] : branch);
  const objects = branches.filter((branch) => typeof branch.$ref === 'string' || branch.type === 'object' || branch.properties || branch.anyOf);
  // A branch that is itself only a union (`payment_source`, `deleted_payment_source`: anyOf account, bank_account,
  // card, source) is looked through, so a deleted card is noted as `deleted_card`, not as the union's first member.
  const flattened = objects.flatMap((branch) => {
    const resolved = resolve(branch);
    const inner = (resolved.anyOf ?? resolved.oneOf) as Schema[] | undefined;
    return inner && !resolved.properties ? inner : [branch];
  });
  const matching = flattened.filter((branch) => {
    const properties = resolve(branch).properties as Record<string, Schema> | undefined;
    const objectEnum = (properties?.object?.enum as unknown[] | undefined) ?? [];
    return objectEnum.includes(value.object) && (value.deleted === true) === Boolean(properties?.deleted);
  });
  return matching[0] ?? objects[0];
}

/** The schema Stripe documents for an answer, as recordRenderedFields walks it (errors: Stripe's `error`). */
export function documentedResponseSchema(method: string, urlPath: string, status: number): Schema | undefined {
  if (status >= 400) return { $ref: `${referencePrefix}error` };
  const spec = stripeSpec();
  if (!spec.has(method, urlPath)) return undefined;
  const template = spec.operationFor(method, urlPath).split(' ').slice(1).join(' ');
  const responses = rawStripeDocument().paths[template][method.toLowerCase()].responses ?? {};
  return (responses[String(status)] ?? responses.default)?.content?.['application/json']?.schema;
}

/** Notes the fields of one answer (and of its events' data.object) that Stripe's document describes. */
export function recordAnswer(method: string, urlPath: string, status: number, body: unknown, into: RenderedFields): void {
  if (!urlPath.startsWith('/v1/') || payrailOnlyOperations.some(({ pattern }) => pattern.test(`${method.toUpperCase()} ${urlPath}`))) return;
  recordRenderedFields(documentedResponseSchema(method, urlPath, status), body, into);
  const items = (body as { object?: string }).object === 'list' ? ((body as { data: unknown[] }).data ?? []) : [body];
  for (const event of items as { object?: string; data?: { object?: unknown } }[]) {
    if (event?.object !== 'event') continue;
    const component = componentFor(stripeSpec(), event.data?.object);
    if (component) recordRenderedFields({ $ref: `${referencePrefix}${component}` }, event.data!.object, into);
  }
}

/** Rendered fields as stored in src/api/openapi/rendered-fields.json: components and fields sorted. */
export function renderedFieldsJson(fields: RenderedFields): Record<string, string[]> {
  return Object.fromEntries([...fields.keys()].sort().map((name) => [name, [...fields.get(name)!].sort()]));
}

let payrailDocument: OpenApiSpec | undefined;

/**
 * The violations of one answer against Payrail's own OpenAPI document (GET /v1/openapi.json), which is generated
 * from Stripe's schemas and declares its objects closed: this proves the served document true for every answer,
 * Payrail-only operations included.
 */
export function payrailDocumentViolations(method: string, urlPath: string, status: number, body: unknown): string[] {
  if (!urlPath.startsWith('/v1/') || urlPath === '/v1/openapi.json') return [];
  payrailDocument ??= OpenApiSpec.fromDocument('payrail-openapi.json', buildOpenApi(allRoutes()) as Record<string, unknown>, { acceptedFormats: stripeFormats });
  if (!payrailDocument.has(method, urlPath)) return status === 404 ? [] : [`Payrail's OpenAPI document has no operation ${method} ${urlPath}`];
  return deepest(payrailDocument.validateResponse(payrailDocument.operationFor(method, urlPath), status, body)).map((error) => `${error} [Payrail's OpenAPI document]`);
}
