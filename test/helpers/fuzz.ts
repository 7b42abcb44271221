import { Pool } from 'undici';
import { seededRandom } from './seeded-random.ts';

/**
 * A seeded fuzzer for the HTTP API. It reads the server's own OpenAPI document (/v1/openapi.json), so every
 * operation is exercised, builds mostly-valid requests from each operation's parameter schema, and spoils them with
 * hostile values (NUL, lone surrogates, huge strings, deep nesting, arrays for scalars, wrong types, overlong
 * numbers, SQL-ish and card-number-like strings) and hostile transport (oversized bodies on keep-alive connections,
 * long headers, bad content types, bad percent-encoding, bytes that are not UTF-8, odd keys and headers).
 *
 * What must hold, whatever was sent: no answer is a 5xx, no connection error, every API error is Stripe's envelope
 * with a `Request-Id`, and no error body contains a run of 12+ digits that the request carried (a card number).
 * Requests are generated in sequence from the seed, so a run can be replayed with the same seed (with concurrency
 * above 1 the server sees them in a slightly different order, so state-dependent findings may need a few tries).
 *
 * Used by test/fuzz.test.ts (a bounded run in `npm test`) and bench/fuzz.ts (long runs, counts by status).
 */

export interface FuzzTarget {
  baseUrl: string;
  secretKey: string;
  publishableKey: string;
}

export interface FuzzOptions {
  seed: number;
  requests: number;
  /** Connections used in parallel (each one keep-alive). */
  concurrency?: number;
  /** Called every `progressEvery` requests with the count so far. */
  onProgress?: (done: number) => void;
  progressEvery?: number;
}

export interface FuzzFinding {
  kind: 'server_error' | 'connection_error' | 'not_stripe_shaped' | 'card_number_echoed';
  request: string;
  detail: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  byStatus: Record<string, number>;
  byKind: Record<string, number>;
  findings: FuzzFinding[];
}

type Random = () => number;
type JsonSchema = { type?: string; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema; enum?: unknown[]; anyOf?: JsonSchema[]; maxLength?: number; minimum?: number; maximum?: number; format?: string; additionalProperties?: boolean | JsonSchema; maxItems?: number };

interface Operation {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  pathParams: string[];
  schema: JsonSchema;
  /** A customer-facing page or a provider's webhook: answers HTML or its provider's shape, not Stripe's envelope. */
  page?: boolean;
}

/** Unauthenticated routes outside /v1 that the OpenAPI document does not (fully) describe; their inputs matter as much. */
const pageOperations: Operation[] = [
  { method: 'GET', path: '/3ds/{id}', pathParams: ['id'], schema: { type: 'object', properties: {} }, page: true },
  { method: 'POST', path: '/3ds/{id}', pathParams: ['id'], schema: { type: 'object', properties: { action: { enum: ['complete', 'fail'] }, csrf_token: { type: 'string' } }, required: ['action'] }, page: true },
  { method: 'GET', path: '/payrail/redirect/{id}', pathParams: ['id'], schema: { type: 'object', properties: {} }, page: true },
  { method: 'GET', path: '/payrail/return/{id}', pathParams: ['id'], schema: { type: 'object', properties: { redirectResult: { type: 'string' }, token: { type: 'string' }, PayerID: { type: 'string' } } }, page: true },
  { method: 'POST', path: '/payrail/return/{id}', pathParams: ['id'], schema: { type: 'object', properties: { redirectResult: { type: 'string' }, MD: { type: 'string' }, PaRes: { type: 'string' } } }, page: true },
  { method: 'GET', path: '/payrail/cancel/{id}', pathParams: ['id'], schema: { type: 'object', properties: { token: { type: 'string' } }, required: ['token'] }, page: true },
  { method: 'POST', path: '/payrail/webhooks/{id}', pathParams: ['id'], schema: { type: 'object', properties: { live: { type: 'string' }, notificationItems: { type: 'array', items: { type: 'object', properties: { pspReference: { type: 'string' } } } } } }, page: true },
];

/** A value sent exactly as written into a form body or query string (bad percent-encoding). */
class RawFormValue {
  constructor(readonly encoded: string) {}
}

interface FuzzRequest {
  label: string;
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Digit runs of 12 or more the request carries: none may come back in an error body. */
  digitRuns: string[];
  page: boolean;
}

const errorTypes = new Set(['api_error', 'card_error', 'idempotency_error', 'invalid_request_error', 'authentication_error', 'permission_error', 'rate_limit_error']);
const cardLike = ['4242424242424242', '4000000000000002', '4000 0000 0000 9995', '4242-4242-4242-4242', '378282246310005', '6011111111111117', '4242424242424241', '42424242424242424242424242'];
const hostileStrings = [
  '\u0000', 'a\u0000b', '\ud800', 'x\udc00', '\udfff\ud800', '\uffff', '\u202e\u0645\u0631\u062d\u0628\u0627', '👩‍👩‍👧‍👦', 'e\u0301\u0301\u0301', '\u200b', '   ', '',
  "' OR 1=1 --", "'; DROP TABLE customers; --", '"\\', '$1', '%s%n', '${7*7}', '<script>alert(1)</script>', '../../etc/passwd', '\r\nX-Injected: 1',
  '99999999999999999999999', '-1', '-0', '1e309', 'NaN', 'Infinity', '0x10', '1.5', 'true', 'null', '[]', '{}', '__proto__', 'constructor',
  '9007199254740991', '-9007199254740991', '2147483647', '2147483648', '-2147483649', '4294967296', '253402300800', '0',
  ...cardLike, '123', '1234', '12a',
];

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function chance(random: Random, probability: number): boolean {
  return random() < probability;
}

function randomText(random: Random, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_- ';
  let text = '';
  for (let index = 0; index < length; index += 1) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

/** What PostgreSQL text cannot hold: the values most likely to turn into a 500 if anything lets them through. */
const unstorableStrings = ['\u0000', 'a\u0000b', '\ud800', 'x\udc00', 'ok\u0000'];

function hostileValue(random: Random, depth = 0): unknown {
  const roll = random();
  if (roll < 0.15) return pick(random, unstorableStrings);
  if (roll < 0.45) return pick(random, hostileStrings);
  if (roll < 0.52) return 'x'.repeat(pick(random, [5001, 20_000, 100_000]));
  if (roll < 0.58) return pick(random, [-1, 0, 1.5, 2 ** 53, -(2 ** 53), 1e308, 99999999999999999999]);
  if (roll < 0.63) return pick(random, [true, false, null]);
  if (roll < 0.7) return [pick(random, hostileStrings), pick(random, hostileStrings)];
  if (roll < 0.76) return { [pick(random, hostileStrings)]: pick(random, hostileStrings) };
  if (roll < 0.82) {
    let nested: unknown = pick(random, hostileStrings);
    for (let level = 0; level < pick(random, [4, 8, 20, 60]); level += 1) nested = { a: nested };
    return nested;
  }
  if (roll < 0.87) return Array.from({ length: pick(random, [101, 1000]) }, (_, index) => String(index));
  if (roll < 0.93) return new RawFormValue(pick(random, ['%', '%zz', '%E0%A4', '%ED%A0%80', '%FF%FE', '%C0%AF', '%00', '%%%', '%u0041', '%F4%90%80%80']));
  return depth < 2 ? { 0: hostileValue(random, depth + 1), x: hostileValue(random, depth + 1) } : '';
}

/** Ids the fuzzer has seen, by prefix, so paths and parameters sometimes name real objects. */
class IdPool {
  readonly #ids = new Map<string, string[]>();
  add(id: unknown): void {
    if (typeof id !== 'string') return;
    const prefix = /^([a-z]+)_/.exec(id)?.[1];
    if (!prefix) return;
    const list = this.#ids.get(prefix) ?? [];
    if (list.length < 50 && !list.includes(id)) list.push(id);
    this.#ids.set(prefix, list);
  }
  pick(random: Random, prefix: string): string | undefined {
    const list = this.#ids.get(prefix);
    return list && list.length > 0 ? pick(random, list) : undefined;
  }
}

const prefixOfSegment: Record<string, string> = {
  customers: 'cus', payment_intents: 'pi', payment_methods: 'pm', charges: 'ch', refunds: 're', events: 'evt', webhook_endpoints: 'we',
  payouts: 'po', accounts: 'acct', balance_transactions: 'txn', connector_configurations: 'pcc', external_accounts: 'ba',
  '3ds': 'auth', redirect: 'pa', return: 'pa', cancel: 'pcc', webhooks: 'pcc',
};
const prefixOfParameter: Record<string, string> = { customer: 'cus', payment_method: 'pm', payment_intent: 'pi', charge: 'ch', destination: 'ba', starting_after: 'cus', ending_before: 'cus' };

function validString(random: Random, name: string, schema: JsonSchema, ids: IdPool): string {
  if (schema.format === 'uri') return pick(random, ['http://127.0.0.1:9/fuzz', 'https://127.0.0.1:9/return', 'http://localhost:9/x']);
  if (schema.format === 'email') return `fuzz${Math.floor(random() * 1000)}@example.com`;
  if (name === 'currency' || name.endsWith('currency')) return pick(random, ['usd', 'eur', 'jpy', 'gbp']);
  if (name === 'country') return pick(random, ['US', 'DE', 'FR']);
  if (name === 'number') return pick(random, ['4242424242424242', '4000000000000002', '4000002760003184']);
  if (name === 'cvc') return '123';
  if (name === 'payment_method' && chance(random, 0.5)) return pick(random, ['pm_card_visa', 'pm_card_chargeDeclined', 'pm_card_authenticationRequired']);
  const prefix = prefixOfParameter[name];
  if (prefix) {
    const id = ids.pick(random, prefix);
    if (id) return id;
  }
  return randomText(random, Math.min(schema.maxLength ?? 20, 1 + Math.floor(random() * 20)));
}

function valueFor(random: Random, name: string, schema: JsonSchema, ids: IdPool, depth: number): unknown {
  if (schema.anyOf) return valueFor(random, name, pick(random, schema.anyOf), ids, depth);
  if (schema.enum) return pick(random, schema.enum);
  switch (schema.type) {
    case 'integer': {
      const minimum = schema.minimum ?? 0;
      const maximum = Math.min(schema.maximum ?? 100_000, minimum + 100_000);
      // Sometimes the extremes the schema allows: they reach arithmetic, currency conversion and column types.
      if (chance(random, 0.2)) return pick(random, [minimum, schema.maximum ?? Number.MAX_SAFE_INTEGER, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 253402300800].filter((value) => value >= minimum && value <= (schema.maximum ?? Number.MAX_SAFE_INTEGER)));
      return name === 'amount' ? pick(random, [50, 100, 2000, 99999]) : minimum + Math.floor(random() * (maximum - minimum + 1));
    }
    case 'boolean':
      return chance(random, 0.5);
    case 'array': {
      const count = Math.floor(random() * 3);
      return Array.from({ length: count }, () => valueFor(random, name, schema.items ?? { type: 'string' }, ids, depth + 1));
    }
    case 'object': {
      if (depth > 4) return {};
      const result: Record<string, unknown> = {};
      const properties = schema.properties ?? {};
      for (const [key, child] of Object.entries(properties)) {
        if (schema.required?.includes(key) || chance(random, 0.3)) result[key] = valueFor(random, key, child, ids, depth + 1);
      }
      if (!schema.properties && schema.additionalProperties) {
        for (let index = 0; index < Math.floor(random() * 3); index += 1) result[`key${index}`] = randomText(random, 8);
      }
      return result;
    }
    default:
      return validString(random, name, schema, ids);
  }
}

/** Replaces some leaves (or adds keys) with hostile values. */
function spoil(random: Random, value: unknown, rate: number, depth = 0): unknown {
  if (chance(random, rate)) return hostileValue(random);
  if (value && typeof value === 'object' && !Array.isArray(value) && depth < 6) {
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) result[key] = spoil(random, child, rate, depth + 1);
    if (chance(random, rate / 2)) result[chance(random, 0.5) ? pick(random, hostileStrings) || 'unknown' : pick(random, cardLike)] = hostileValue(random);
    return result;
  }
  if (Array.isArray(value)) return value.map((item) => spoil(random, item, rate, depth + 1));
  return value;
}

/** Percent-encodes UTF-8 (lone surrogates become U+FFFD, as any client's encoder would). */
function encodeComponent(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** Stripe's form encoding with brackets (`a[b][0]=c`), with raw values kept as written. */
function formEncode(value: unknown, prefix = ''): string[] {
  if (value instanceof RawFormValue) return [`${prefix}=${value.encoded}`];
  if (Array.isArray(value)) return value.flatMap((item, index) => formEncode(item, `${prefix}${encodeComponent(`[${index}]`)}`));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix !== '') return [`${prefix}=`];
    return entries.flatMap(([key, child]) => formEncode(child, prefix === '' ? encodeComponent(key) : `${prefix}${encodeComponent(`[${key}]`)}`));
  }
  if (prefix === '') return [];
  return [`${prefix}=${encodeComponent(value === null || value === undefined ? '' : String(value))}`];
}

function jsonEncode(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (item instanceof RawFormValue ? item.encoded : item));
}

function digitRunsOf(text: string): string[] {
  return [...new Set(text.match(/\d{12,}/g) ?? [])];
}

function decodedForm(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

async function loadOperations(baseUrl: string): Promise<Operation[]> {
  const document = (await (await fetch(`${baseUrl}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema: JsonSchema; required?: boolean }[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>> };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1/') || path === '/v1/openapi.json') continue;
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = operation.parameters ?? [];
      const pathParams = parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name);
      let schema: JsonSchema;
      if (method === 'post') schema = operation.requestBody?.content['application/x-www-form-urlencoded']?.schema ?? { type: 'object', properties: {} };
      else {
        const query = parameters.filter((parameter) => parameter.in === 'query');
        schema = { type: 'object', properties: Object.fromEntries(query.map((parameter) => [parameter.name, parameter.schema])), required: query.filter((parameter) => parameter.required).map((parameter) => parameter.name) };
      }
      operations.push({ method: method.toUpperCase() as Operation['method'], path, pathParams, schema });
    }
  }
  return [...operations, ...pageOperations];
}

function fillPath(random: Random, operation: Operation, ids: IdPool): string {
  const segments = operation.path.split('/');
  return segments.map((segment, index) => {
    const name = /^\{(.+)\}$/.exec(segment)?.[1];
    if (!name) return segment;
    const prefix = prefixOfSegment[segments[index - 1]] ?? 'cus';
    const roll = random();
    if (roll < 0.6) return ids.pick(random, prefix) ?? `${prefix}_${randomText(random, 24).replace(/[ _-]/g, 'A')}`;
    if (roll < 0.75) return `${prefix}_${randomText(random, 24).replace(/[ _-]/g, 'A')}`;
    return pick(random, ['%00', `${prefix}_%00`, '%ED%A0%80', '%FF', '%', 'x'.repeat(300), encodeComponent(pick(random, cardLike)), encodeComponent("' OR 1=1"), '..', '%2e%2e', encodeComponent('\u202e')]);
  }).join('/');
}

/** Builds the `index`-th request of a run; everything random comes from `random`, in order. */
function buildRequest(random: Random, operations: Operation[], ids: IdPool, target: FuzzTarget): FuzzRequest {
  const operation = pick(random, operations);
  const path = fillPath(random, operation, ids);
  const headers: Record<string, string> = {};
  const authRoll = random();
  if (authRoll < 0.9) headers.authorization = `Bearer ${target.secretKey}`;
  else if (authRoll < 0.94) headers.authorization = `Bearer ${target.publishableKey}`;
  else if (authRoll < 0.96) headers.authorization = `Basic ${Buffer.from(pick(random, ['\u0000:', `${target.secretKey}:`, ':', '\ud800:'])).toString('base64')}`;
  else if (authRoll < 0.98) headers.authorization = pick(random, ['Bearer', 'Bearer ', `Bearer ${target.secretKey}x`, 'Bearer sk_test_' + 'A'.repeat(5000), 'Digest x']);

  const kindRoll = random();
  let kind = 'schema';
  // Pages take few parameters, each of which matters: they are spoiled more often.
  const spoilRate = operation.page ? 0.5 : chance(random, 0.3) ? 0 : 0.12;
  let payload = spoil(random, valueFor(random, '', operation.schema, ids, 0), spoilRate);
  if (kindRoll < 0.04) kind = 'oversized_body';
  else if (kindRoll < 0.07) kind = 'long_header';
  else if (kindRoll < 0.11) kind = 'bad_content_type';
  else if (kindRoll < 0.15) kind = 'bad_percent_encoding';
  else if (kindRoll < 0.18) kind = 'invalid_utf8';
  else if (kindRoll < 0.22) kind = 'odd_headers';
  else if (kindRoll < 0.24) kind = 'many_parameters';

  if (kind === 'many_parameters') payload = Object.fromEntries(Array.from({ length: pick(random, [999, 1000, 1001, 3000]) }, (_, index) => [`p${index}`, 'v']));
  const json = operation.method === 'POST' && chance(random, 0.3);
  let encoded = json ? jsonEncode(payload ?? {}) : formEncode(payload ?? {}).join('&');
  if (kind === 'bad_percent_encoding') encoded = `${encoded}${encoded ? '&' : ''}${pick(random, ['name=%', 'a%zz=1', 'description=%E0%A4', '%=%', 'metadata[%ED%A0%80]=x', 'expand[]=%FF'])}`;
  const digitRuns = digitRunsOf(json ? encoded : decodedForm(encoded));
  for (const value of Object.values(headers)) digitRuns.push(...digitRunsOf(value));

  let body: Buffer | undefined;
  let url = path;
  if (operation.method === 'POST') {
    body = Buffer.from(encoded);
    headers['content-type'] = json ? 'application/json' : 'application/x-www-form-urlencoded';
    if (chance(random, 0.3)) headers['idempotency-key'] = pick(random, [`fuzz-${Math.floor(random() * 1e9)}`, 'k'.repeat(256), ' ', 'fuzz-shared-key', `${pick(random, cardLike).replace(/\D/g, '')}`]);
  } else if (encoded !== '') url = `${path}?${encoded}`;
  if (operation.method === 'DELETE' && chance(random, 0.2)) {
    body = Buffer.from(formEncode({ extra: hostileValue(random) }).join('&'));
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }

  switch (kind) {
    case 'oversized_body':
      body = Buffer.alloc(pick(random, [256 * 1024 + 1, 300 * 1024, 1024 * 1024, 2 * 1024 * 1024]), 'a');
      headers['content-type'] = pick(random, ['application/x-www-form-urlencoded', 'application/json', 'text/plain']);
      break;
    case 'long_header':
      headers[pick(random, ['x-filler', 'stripe-version', 'idempotency-key', 'user-agent'])] = 'h'.repeat(pick(random, [8 * 1024, 17 * 1024, 70 * 1024]));
      break;
    case 'bad_content_type':
      body ??= Buffer.from('name=x');
      headers['content-type'] = pick(random, ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'garbage', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded; charset=latin1', '*/*', 'application/', 'application/jsonx']);
      break;
    case 'invalid_utf8': {
      const bad = Buffer.from(pick(random, [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe0, 0xa4], [0xc0, 0xaf]]));
      body = Buffer.concat([Buffer.from(json ? '{"name":"' : 'name='), bad, Buffer.from(json ? '"}' : '')]);
      headers['content-type'] = json ? 'application/json' : 'application/x-www-form-urlencoded';
      break;
    }
    case 'odd_headers':
      headers[pick(random, ['stripe-version', 'idempotency-key', 'stripe-account', 'accept', 'content-encoding'])] = pick(random, ['2020-08-27', '', 'garbage', 'é', '9'.repeat(300), 'gzip', 'a,b,c', "' OR 1=1"]);
      break;
  }
  if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  // Header values that the HTTP client itself would refuse to send are made ASCII: this fuzzes the server, not undici.
  for (const [name, value] of Object.entries(headers)) headers[name] = value.replace(/[^\x20-\x7e]/g, '?');
  return { label: `${operation.method} ${operation.path} [${kind}]`, kind, method: operation.method, path: url, headers, body, digitRuns, page: operation.page === true };
}

function checkResponse(request: FuzzRequest, status: number, headers: Record<string, string | string[] | undefined>, text: string, findings: FuzzFinding[], ids: IdPool): void {
  const summary = `${request.method} ${request.path.slice(0, 200)}`;
  if (status >= 500) findings.push({ kind: 'server_error', request: summary, detail: `${status} ${text.slice(0, 300)}` });
  if (request.page) {
    // Pages answer HTML; they must still never fail, and carry a Request-Id.
    const requestId = headers['request-id'];
    if (typeof requestId !== 'string' || !requestId.startsWith('req_')) findings.push({ kind: 'not_stripe_shaped', request: summary, detail: `${status} without a Request-Id` });
    if (status >= 400 && request.digitRuns.some((run) => text.includes(run))) findings.push({ kind: 'card_number_echoed', request: summary, detail: `${status} ${text.slice(0, 300)}` });
    return;
  }
  if (status >= 400) {
    let shaped = false;
    try {
      const parsed = JSON.parse(text) as { error?: { type?: unknown; message?: unknown } };
      shaped = !!parsed.error && errorTypes.has(String(parsed.error.type)) && typeof parsed.error.message === 'string';
    } catch {
      shaped = false;
    }
    const requestId = headers['request-id'];
    if (!shaped || typeof requestId !== 'string' || !requestId.startsWith('req_')) {
      findings.push({ kind: 'not_stripe_shaped', request: summary, detail: `${status} request-id=${String(requestId)} ${text.slice(0, 200)}` });
    }
    const echoed = request.digitRuns.filter((run) => text.includes(run));
    if (echoed.length > 0) findings.push({ kind: 'card_number_echoed', request: summary, detail: `${status} ${text.slice(0, 300)}` });
  } else if (status === 200) {
    try {
      const parsed = JSON.parse(text) as { id?: unknown; data?: { id?: unknown }[] };
      ids.add(parsed.id);
      for (const item of parsed.data ?? []) ids.add(item.id);
    } catch {
      // Not JSON: nothing to learn.
    }
  }
}

/** Seeds the id pool with a few real objects so that paths reach real rows. */
async function seedObjects(pool: Pool, target: FuzzTarget, ids: IdPool): Promise<void> {
  const send = async (path: string, body: string) => {
    const response = await pool.request({ method: 'POST', path, headers: { authorization: `Bearer ${target.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' }, body });
    const parsed = (await response.body.json()) as { id?: string; latest_charge?: string };
    ids.add(parsed.id);
    ids.add(parsed.latest_charge);
    return parsed;
  };
  const customer = await send('/v1/customers', 'email=fuzz@example.com&name=Fuzz');
  await send('/v1/payment_intents', `amount=2000&currency=usd&payment_method=pm_card_visa&confirm=true&customer=${customer.id}`);
  await send('/v1/payment_intents', 'amount=1500&currency=usd&payment_method=pm_card_visa&confirm=true&capture_method=manual');
  await send('/v1/payment_intents', 'amount=1200&currency=usd');
  await send('/v1/payment_methods', 'type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2040&card[cvc]=123');
  await send('/v1/webhook_endpoints', 'url=http://127.0.0.1:9/hook&enabled_events[]=*');
}

export async function runFuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const random = seededRandom(options.seed);
  const concurrency = options.concurrency ?? 4;
  const pool = new Pool(target.baseUrl, { connections: concurrency, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 60_000 });
  const ids = new IdPool();
  const report: FuzzReport = { seed: options.seed, requests: 0, byStatus: {}, byKind: {}, findings: [] };
  try {
    await seedObjects(pool, target, ids);
    const operations = await loadOperations(target.baseUrl);
    let next = 0;
    const worker = async () => {
      while (next < options.requests) {
        next += 1;
        const request = buildRequest(random, operations, ids, target);
        report.byKind[request.kind] = (report.byKind[request.kind] ?? 0) + 1;
        try {
          const response = await pool.request({ method: request.method as 'GET', path: request.path, headers: request.headers, body: request.body });
          const text = await response.body.text();
          report.byStatus[response.statusCode] = (report.byStatus[response.statusCode] ?? 0) + 1;
          checkResponse(request, response.statusCode, response.headers, text, report.findings, ids);
        } catch (error) {
          report.byStatus.connection_error = (report.byStatus.connection_error ?? 0) + 1;
          const cause = error as Error & { code?: string };
          report.findings.push({ kind: 'connection_error', request: `${request.label} ${request.method} ${request.path.slice(0, 200)}`, detail: `${cause.code ?? ''} ${cause.message}` });
        }
        report.requests += 1;
        if (options.onProgress && report.requests % (options.progressEvery ?? 1000) === 0) options.onProgress(report.requests);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await pool.close();
  }
  return report;
}

/** Findings grouped by kind and request shape, for printing. */
export function summarizeFindings(findings: FuzzFinding[], examplesMax = 5): string {
  const groups = new Map<string, FuzzFinding[]>();
  for (const finding of findings) {
    const key = finding.kind;
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  return [...groups.entries()].map(([kind, list]) => `${kind}: ${list.length}\n${list.slice(0, examplesMax).map((finding) => `  ${finding.request}\n    ${finding.detail}`).join('\n')}`).join('\n');
}
