import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ajvDefault from 'ajv';
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

/**
 * Validates request and response bodies against a vendored provider OpenAPI document (specs/...), so tests prove that
 * what a sandbox or connector sends matches the provider's published protocol.
 *
 * Usage:
 *   const checkout = OpenApiSpec.load('adyen/CheckoutService-v71.json');
 *   checkout.assertRequest('POST /payments', body);
 *   checkout.assertResponse('POST /payments/{paymentPspReference}/captures', 201, body);
 *   checkout.assertExchange('POST', '/payments/ABC/captures', requestBody, 201, responseBody); // matches the template
 *   OpenApiSpec.load('adyen/Webhooks-v1.json').assertWebhook('AUTHORISATION', notification);
 *
 * By default the documents are OpenAPI 3.1 (JSON Schema 2020-12), validated with Ajv2020 in non-strict mode (vendor
 * extensions such as `x-addedInVersion` are ignored). `$ref`s into `#/components/schemas` resolve inside the loaded
 * document. OpenAPI's numeric formats (int32, int64, float, double) are checked as the JSON types already do.
 * `OpenApiSpecOptions` covers documents that need other settings (PayPal's OpenAPI 3.0: test/helpers/paypal-openapi.ts).
 */

// Both packages are CommonJS whose module.exports is the class / plugin with a `default` property pointing at itself.
const Ajv = ajvDefault.default;
const Ajv2020 = ajv2020.default;
const addFormats = ajvFormats.default;

const specsDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../specs');
const httpMethods = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** How one document is compiled and read; the defaults suit OpenAPI 3.1 documents (Adyen). */
export interface OpenApiSpecOptions {
  /** The JSON Schema dialect: `2020-12` for OpenAPI 3.1 (Ajv2020), `draft-07` for OpenAPI 3.0 (Ajv). */
  dialect?: '2020-12' | 'draft-07';
  /** Ajv's `unicodeRegExp`: false for documents whose `pattern`s are valid ECMAScript only without the `u` flag. */
  unicodeRegExp?: boolean;
  /** Format names accepted without a check (default: OpenAPI's numeric formats, which the JSON types already check). */
  acceptedFormats?: readonly string[];
  /**
   * A documented response without a JSON schema: `ignore` accepts any body (default); `must_be_empty` accepts only
   * none (`undefined` or `null`).
   */
  responseWithoutSchema?: 'ignore' | 'must_be_empty';
  /**
   * Rewrites the parsed document before it is compiled (Stripe's: closed objects, see stripe-conformance.ts). Loads
   * are cached by file and the other options, so one file is loaded with at most one transform per process.
   */
  transform?: (document: Record<string, unknown>) => void;
}

const numericFormats = ['int32', 'int64', 'float', 'double'];

interface MediaTypes {
  content?: Record<string, { schema?: unknown }>;
}

interface Operation {
  requestBody?: MediaTypes;
  responses?: Record<string, MediaTypes & { $ref?: string }>;
}

interface OpenApiDocument {
  servers?: { url: string }[];
  paths?: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, Record<string, Operation>>;
  components?: { responses?: Record<string, MediaTypes>; schemas?: Record<string, unknown> };
}

const loaded = new Map<string, OpenApiSpec>();

export class OpenApiSpec {
  readonly #document: OpenApiDocument;
  readonly #ajv: InstanceType<typeof Ajv2020> | InstanceType<typeof Ajv>;
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #documentId: string;
  readonly #responseWithoutSchema: 'ignore' | 'must_be_empty';

  private constructor(name: string, document: Record<string, unknown>, options: OpenApiSpecOptions) {
    options.transform?.(document);
    this.#document = document as OpenApiDocument;
    this.#documentId = `https://payrail.test/specs/${name}`;
    this.#responseWithoutSchema = options.responseWithoutSchema ?? 'ignore';
    this.#ajv =
      options.dialect === 'draft-07'
        ? new Ajv({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: options.unicodeRegExp ?? true })
        : new Ajv2020({ strict: false, allErrors: true, validateSchema: false, discriminator: false, unicodeRegExp: options.unicodeRegExp ?? true });
    addFormats(this.#ajv);
    for (const format of options.acceptedFormats ?? numericFormats) this.#ajv.addFormat(format, true);
    this.#ajv.addSchema({ ...this.#document, $id: this.#documentId } as object);
  }

  /**
   * Loads (once per process and options) a spec from the repository's specs/ folder, e.g.
   * `adyen/CheckoutService-v71.json`.
   */
  static load(file: string, options: OpenApiSpecOptions = {}): OpenApiSpec {
    const key = `${file} ${JSON.stringify(options)}`;
    let spec = loaded.get(key);
    if (!spec) {
      // An absolute file is read where it is (specs outside the repository, such as ../shared/specs/stripe).
      const document = JSON.parse(fs.readFileSync(path.resolve(specsDirectory, file), 'utf8')) as Record<string, unknown>;
      spec = new OpenApiSpec(file, document, options);
      loaded.set(key, spec);
    }
    return spec;
  }

  /** A spec from a document built in memory (Payrail's own, from buildOpenApi), under a name unique to it. */
  static fromDocument(name: string, document: Record<string, unknown>, options: OpenApiSpecOptions = {}): OpenApiSpec {
    return new OpenApiSpec(name, structuredClone(document), options);
  }

  /** The path prefix of the first server URL (`/v71` for Adyen Checkout; empty for a server at the root). */
  get basePath(): string {
    const server = this.#document.servers?.[0]?.url;
    // A relative server URL ('/') is relative to wherever the document was fetched from.
    return server ? new URL(server, 'http://relative.invalid').pathname.replace(/\/$/, '') : '';
  }

  /** Whether the document has an operation for this concrete method and path. */
  has(method: string, concretePath: string): boolean {
    return this.#find(method, concretePath) !== null;
  }

  /** The template `METHOD /path/{param}` a concrete method and path belong to (the base path may be included). */
  operationFor(method: string, concretePath: string): string {
    const found = this.#find(method, concretePath);
    if (found === null) throw new assert.AssertionError({ message: `no operation in the spec matches ${method.toUpperCase()} ${concretePath}` });
    return found;
  }

  #find(method: string, concretePath: string): string | null {
    const lower = method.toLowerCase();
    let pathOnly = concretePath.split('?')[0];
    if (this.basePath && pathOnly.startsWith(this.basePath + '/')) pathOnly = pathOnly.slice(this.basePath.length);
    const candidates = Object.keys(this.#document.paths ?? {}).filter((template) => this.#document.paths![template][lower]);
    // Literal segments win over parameters (`/payments/details` before `/payments/{id}`), as routers match.
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
    const lower = method.toLowerCase() as (typeof httpMethods)[number];
    const value = this.#document.paths?.[template]?.[lower];
    if (!value) throw new assert.AssertionError({ message: `the spec has no operation ${operation}` });
    return { pointer: `#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${lower}`, value };
  }

  #validator(pointer: string): ValidateFunction {
    const cached = this.#validators.get(pointer);
    if (cached) return cached;
    const validate = this.#ajv.compile({ $ref: `${this.#documentId}${pointer}` });
    this.#validators.set(pointer, validate);
    return validate;
  }

  #check(pointer: string, body: unknown): string[] {
    const validate = this.#validator(pointer);
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
  }

  /** Errors of a value against `#/components/schemas/<name>`; empty when valid. */
  validateComponent(name: string, body: unknown): string[] {
    return this.#check(`#/components/schemas/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, body);
  }

  /** Whether the document defines `#/components/schemas/<name>`. */
  hasComponent(name: string): boolean {
    return Object.hasOwn(this.#document.components?.schemas ?? {}, name);
  }

  /** Errors of a request body against `operation` (`'POST /payments'`); empty when valid. */
  validateRequest(operation: string, body: unknown): string[] {
    const { pointer, value } = this.#operation(operation);
    if (!value.requestBody?.content?.['application/json']?.schema) return body === undefined ? [] : [`${operation} takes no JSON body`];
    return this.#check(`${pointer}/requestBody/content/application~1json/schema`, body);
  }

  /**
   * Errors of a response body against the schema of `operation` and `status` (or its `NXX` range, or `default`);
   * empty when valid. A response may be a `$ref` into `components/responses` (PayPal's error union).
   */
  validateResponse(operation: string, status: number, body: unknown): string[] {
    const { pointer, value } = this.#operation(operation);
    const range = `${String(status)[0]}XX`;
    const key = value.responses?.[String(status)] ? String(status) : value.responses?.[range] ? range : value.responses?.default ? 'default' : null;
    if (key === null) return [`${operation} documents no ${status} response`];
    const response = value.responses![key];
    if (response.$ref) {
      const name = response.$ref.replace('#/components/responses/', '');
      if (!this.#document.components?.responses?.[name]?.content?.['application/json']?.schema) return [];
      return this.#check(`#/components/responses/${name}/content/application~1json/schema`, body);
    }
    if (!response.content?.['application/json']?.schema) {
      if (this.#responseWithoutSchema === 'ignore' || body === undefined || body === null) return [];
      return [`${operation} ${status} has no body in the spec`];
    }
    return this.#check(`${pointer}/responses/${key}/content/application~1json/schema`, body);
  }

  /** Errors of a webhook body against the spec's `webhooks` entry (`'AUTHORISATION'` or `'/AUTHORISATION'`). */
  validateWebhook(name: string, body: unknown): string[] {
    const key = name.startsWith('/') ? name : `/${name}`;
    const webhook = this.#document.webhooks?.[key]?.post;
    if (!webhook?.requestBody?.content?.['application/json']?.schema) return [`the spec has no webhook ${key}`];
    return this.#check(`#/webhooks/${key.replace(/\//g, '~1')}/post/requestBody/content/application~1json/schema`, body);
  }

  assertRequest(operation: string, body: unknown): void {
    const errors = this.validateRequest(operation, body);
    assert.deepEqual(errors, [], `request of ${operation} does not match the spec:\n${errors.join('\n')}\n${JSON.stringify(body)}`);
  }

  assertResponse(operation: string, status: number, body: unknown): void {
    const errors = this.validateResponse(operation, status, body);
    assert.deepEqual(errors, [], `${status} response of ${operation} does not match the spec:\n${errors.join('\n')}\n${JSON.stringify(body)}`);
  }

  assertWebhook(name: string, body: unknown): void {
    const errors = this.validateWebhook(name, body);
    assert.deepEqual(errors, [], `webhook ${name} does not match the spec:\n${errors.join('\n')}\n${JSON.stringify(body)}`);
  }

  /** Validates both sides of one exchange given its concrete method and path. */
  assertExchange(method: string, concretePath: string, requestBody: unknown, status: number | undefined, responseBody: unknown): void {
    const operation = this.operationFor(method, concretePath);
    this.assertRequest(operation, requestBody);
    if (status !== undefined) this.assertResponse(operation, status, responseBody);
  }
}
