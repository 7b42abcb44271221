import { ConnectorRequestError } from '../connector.ts';
import { classifyFetchFailure, fetchWithDeadline } from '../shared/http.ts';

// Razorpay's REST transport (razorpay.com/docs/api): HTTP Basic with the key id and secret, JSON bodies, errors as
// `{error: {code, description, field, source, step, reason}}`. One call, classified into ok / ambiguous / not sent /
// rejected; what each answer means for a payment stays in connector.ts and transformers.ts. Razorpay's Orders and
// Payments APIs take no idempotency key: the connector finds its own order again by `receipt` instead.

/**
 * A request Razorpay did not act on (see `ConnectorRequestError`): `not_sent` (nothing reached Razorpay: failover is
 * safe) or `configuration` (Razorpay refused the key: 401/403).
 */
export class RazorpayRequestError extends ConnectorRequestError {}

export type RazorpayOutcome =
  | { kind: 'ok'; status: number; body: unknown }
  /** Razorpay may or may not have acted: a timeout, a broken connection, a 5xx, an unreadable 2xx. */
  | { kind: 'ambiguous'; detail: string }
  | { kind: 'not_sent'; detail: string }
  /** Razorpay answered that it did not act (4xx): final. `field` names the input it blamed, when it did. */
  | { kind: 'rejected'; status: number; code: string | null; description: string | null; field: string | null };

export interface RazorpayClientConfig {
  /** Razorpay's API root without a trailing slash (https://api.razorpay.com, or a sandbox's URL). */
  endpoint: string;
  keyId: string;
  keySecret: string;
  timeoutMs: number;
}

export class RazorpayClient {
  readonly #config: RazorpayClientConfig;
  readonly #authorization: string;

  constructor(config: RazorpayClientConfig) {
    this.#config = config;
    this.#authorization = `Basic ${Buffer.from(`${config.keyId}:${config.keySecret}`).toString('base64')}`;
  }

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<RazorpayOutcome> {
    const headers: Record<string, string> = { authorization: this.#authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let text: string;
    try {
      const exchange = await fetchWithDeadline(this.#config.endpoint + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }, this.#config.timeoutMs);
      status = exchange.response.status;
      text = exchange.text;
    } catch (error) {
      return classifyFetchFailure(error);
    }
    if (status >= 500) return { kind: 'ambiguous', detail: `HTTP ${status}` };
    if (status === 401 || status === 403) throw new RazorpayRequestError('configuration', `Razorpay refused the API key (HTTP ${status})`, status);
    let parsed: unknown = {};
    try {
      if (text !== '') parsed = JSON.parse(text);
    } catch {
      return status < 300 ? { kind: 'ambiguous', detail: 'unreadable response' } : { kind: 'rejected', status, code: null, description: null, field: null };
    }
    if (status < 300) return { kind: 'ok', status, body: parsed };
    const error = ((parsed as { error?: unknown } | null)?.error ?? {}) as { code?: unknown; description?: unknown; field?: unknown };
    const text_ = (value: unknown): string | null => (typeof value === 'string' ? value : null);
    return { kind: 'rejected', status, code: text_(error.code), description: text_(error.description), field: text_(error.field) };
  }
}
