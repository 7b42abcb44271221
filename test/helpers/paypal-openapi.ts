import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ajvDefault from 'ajv';
import ajvFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

/**
 * Validates PayPal REST traffic against PayPal's vendored OpenAPI 3.0.3 documents (specs/paypal/*.json).
 *
 * Why not test/helpers/openapi-spec.ts: PayPal's documents cannot be compiled with its settings. PayPal's e-mail
 * `pattern` is a regular expression that is valid ECMAScript only without the `u` flag (Ajv adds it by default), and
 * PayPal uses its own `format` names (`ppaas_common_currency_code_v2`, ...). This helper compiles them with
 * `unicodeRegExp: false` and accepts PayPal's private formats (their syntax is already constrained by `pattern` /
 * `minLength` next to them), and otherwise works the same way: every `$ref` resolves inside the loaded document.
 *
 * Usage:
 *   const orders = PayPalSpec.load('checkout_orders_v2.json');
 *   orders.assertExchange('POST', '/v2/checkout/orders', requestBody, 201, responseBody);
 */

const Ajv = ajvDefault.default;
const addFormats = ajvFormats.default;

const specsDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../specs/paypal');

/** PayPal's own format names in the vendored documents; Ajv would otherwise warn about every one of them. */
const paypalFormats = [
  'merchant_common_email_address_v2',
  'ppaas_payer_id_v3',
  'ppaas_date_notime_v2',
  'ppaas_common_country_code_v2',
  'payer_v1',
  'ppaas_common_currency_code_v2',
  'ppaas_common_language_v3',
  'ppaas_common_email_address_v2',
  'ppaas_ip_address_v1',
  'ppaas_date_time_v3',
];

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }>; $ref?: string }>;
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
  components?: { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> };
}

const loaded = new Map<string, PayPalSpec>();

export class PayPalSpec {
  readonly #document: OpenApiDocument;
  readonly #ajv: InstanceType<typeof Ajv>;
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #documentId: string;

  private constructor(file: string) {
    this.#document = JSON.parse(fs.readFileSync(path.join(specsDirectory, file), 'utf8')) as OpenApiDocument;
    this.#documentId = `https://payrail.test/specs/paypal/${file}`;
    this.#ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false });
    addFormats(this.#ajv);
    for (const format of paypalFormats) this.#ajv.addFormat(format, true);
    this.#ajv.addSchema({ ...this.#document, $id: this.#documentId } as object);
  }

  /** Loads (once per process) one of specs/paypal/*.json. */
  static load(file: string): PayPalSpec {
    let spec = loaded.get(file);
    if (!spec) {
      spec = new PayPalSpec(file);
      loaded.set(file, spec);
    }
    return spec;
  }

  /** Whether the document has an operation for this concrete method and path. */
  has(method: string, concretePath: string): boolean {
    return this.#find(method, concretePath) !== null;
  }

  /** The template `METHOD /path/{param}` that a concrete method and path belong to. */
  operationFor(method: string, concretePath: string): string {
    const found = this.#find(method, concretePath);
    if (found === null) throw new assert.AssertionError({ message: `no operation in the spec matches ${method.toUpperCase()} ${concretePath}` });
    return found;
  }

  #find(method: string, concretePath: string): string | null {
    const lower = method.toLowerCase();
    const pathOnly = concretePath.split('?')[0];
    const candidates = Object.keys(this.#document.paths ?? {}).filter((template) => this.#document.paths![template][lower]);
    const exact = candidates.find((template) => template === pathOnly);
    if (exact) return `${method.toUpperCase()} ${exact}`;
    for (const template of candidates) {
      const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      if (pattern.test(pathOnly)) return `${method.toUpperCase()} ${template}`;
    }
    return null;
  }

  #operation(operation: string): { pointer: string; value: Operation } {
    const [method, ...rest] = operation.split(' ');
    const template = rest.join(' ');
    const lower = method.toLowerCase();
    const value = this.#document.paths?.[template]?.[lower];
    if (!value) throw new assert.AssertionError({ message: `the spec has no operation ${operation}` });
    return { pointer: `#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${lower}`, value };
  }

  #check(pointer: string, body: unknown): string[] {
    let validate = this.#validators.get(pointer);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `${this.#documentId}${pointer}` });
      this.#validators.set(pointer, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
  }

  validateRequest(operation: string, body: unknown): string[] {
    const { pointer, value } = this.#operation(operation);
    if (!value.requestBody?.content?.['application/json']?.schema) return body === undefined ? [] : [`${operation} takes no JSON body`];
    return this.#check(`${pointer}/requestBody/content/application~1json/schema`, body);
  }

  /**
   * Errors of a response body against the documented response for `status`, or the `default` response (PayPal's
   * error union), which may be a `$ref` into `components/responses`.
   */
  validateResponse(operation: string, status: number, body: unknown): string[] {
    const { pointer, value } = this.#operation(operation);
    const key = value.responses?.[String(status)] ? String(status) : value.responses?.default ? 'default' : null;
    if (key === null) return [`${operation} documents no ${status} response`];
    const response = value.responses![key];
    if (response.$ref) {
      const name = response.$ref.replace('#/components/responses/', '');
      if (!this.#document.components?.responses?.[name]?.content?.['application/json']?.schema) return [];
      return this.#check(`#/components/responses/${name}/content/application~1json/schema`, body);
    }
    if (!response.content?.['application/json']?.schema) return body === undefined || body === null ? [] : [`${operation} ${status} has no body in the spec`];
    return this.#check(`${pointer}/responses/${key}/content/application~1json/schema`, body);
  }

  assertRequest(operation: string, body: unknown): void {
    const errors = this.validateRequest(operation, body);
    assert.deepEqual(errors, [], `request of ${operation} does not match the spec:\n${errors.join('\n')}\n${JSON.stringify(body)}`);
  }

  assertResponse(operation: string, status: number, body: unknown): void {
    const errors = this.validateResponse(operation, status, body);
    assert.deepEqual(errors, [], `${status} response of ${operation} does not match the spec:\n${errors.join('\n')}\n${JSON.stringify(body)}`);
  }

  assertExchange(method: string, concretePath: string, requestBody: unknown, status: number | undefined, responseBody: unknown): void {
    const operation = this.operationFor(method, concretePath);
    this.assertRequest(operation, requestBody);
    if (status !== undefined) this.assertResponse(operation, status, responseBody);
  }
}

/** The three PayPal documents, and which one describes a concrete path. */
export const paypalSpecs = {
  orders: () => PayPalSpec.load('checkout_orders_v2.json'),
  payments: () => PayPalSpec.load('payments_payment_v2.json'),
  webhooks: () => PayPalSpec.load('notifications_webhooks_v1.json'),
  /** The document with an operation for this method and path, or null (e.g. /v1/oauth2/token is in none of them). */
  for(method: string, concretePath: string): PayPalSpec | null {
    for (const spec of [this.orders(), this.payments(), this.webhooks()]) if (spec.has(method, concretePath)) return spec;
    return null;
  },
};
