import { ConnectorRequestError } from '../connector.ts';
import { classifyFetchFailure, describeError, fetchWithDeadline } from '../shared/http.ts';

// PayPal's REST transport: the OAuth 2.0 access token (cached, shared by concurrent callers, renewed before it
// expires) and one call classified into ok / ambiguous / not sent / rejected. Split from connector.ts, which holds
// the flows (orders, payments, webhook verification) and decides what each classified answer means for them.

/**
 * A cached access token is renewed this long before PayPal says it expires, so a request never leaves with a token
 * that expires in flight (PayPal's tokens live 9 hours).
 */
export const tokenRenewalMarginSeconds = 300;

/**
 * A request PayPal did not act on (see `ConnectorRequestError`):
 * - `not_sent`: nothing reached PayPal's payment APIs (connection refused, or no access token could be had): failover
 *   is safe;
 * - `configuration`: PayPal refused the client credentials (401 invalid_client); retrying will not help.
 */
export class PayPalRequestError extends ConnectorRequestError {}

export type HttpOutcome =
  | { kind: 'ok'; status: number; body: unknown }
  /** PayPal may or may not have acted: a timeout, a broken connection, a 5xx, or a request still in progress (409). */
  | { kind: 'ambiguous'; detail: string }
  | { kind: 'not_sent'; detail: string }
  /** PayPal answered that it did not act (400/403/404/422): final. */
  | { kind: 'rejected'; status: number; issue: string | null; debugId: string | null };

interface CachedToken {
  value: string;
  renewAt: number;
}

export interface PayPalRequestOptions {
  body?: unknown;
  rawBody?: string;
  requestId?: string;
  representation?: boolean;
}

export interface PayPalClientConfig {
  /** PayPal's REST endpoint, without a trailing slash. */
  endpoint: string;
  clientId: string;
  clientSecret: string;
  /** Per-request timeout; an answer that does not arrive in time is ambiguous. */
  timeoutMs: number;
}

/** One PayPal REST app's transport. Stateless apart from the cached access token. */
export class PayPalClient {
  readonly #config: PayPalClientConfig;
  #token: CachedToken | null = null;
  #tokenRequest: Promise<string> | null = null;

  constructor(config: PayPalClientConfig) {
    this.#config = config;
  }

  /**
   * An OAuth 2.0 access token (client credentials), cached until shortly before it expires. Concurrent callers share
   * one token request. Failing to get a token means no payment request was sent: `not_sent`, or `configuration` when
   * PayPal refuses the credentials.
   */
  async #accessToken(): Promise<string> {
    if (this.#token && Date.now() < this.#token.renewAt) return this.#token.value;
    this.#tokenRequest ??= this.#fetchToken().finally(() => {
      this.#tokenRequest = null;
    });
    return this.#tokenRequest;
  }

  async #fetchToken(): Promise<string> {
    let response: Response;
    let text: string;
    try {
      ({ response, text } = await fetchWithDeadline(`${this.#config.endpoint}/v1/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${this.#config.clientId}:${this.#config.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
      }, this.#config.timeoutMs));
    } catch (error) {
      // No token means no payment request was sent, whatever went wrong on the way.
      throw new PayPalRequestError('not_sent', `no PayPal access token: ${describeError(error)}`);
    }
    if (response.status === 401 || response.status === 403) throw new PayPalRequestError('configuration', `PayPal refused the client credentials (HTTP ${response.status})`, response.status);
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new PayPalRequestError('not_sent', `no PayPal access token: unreadable answer (HTTP ${response.status})`);
    }
    if (!response.ok || typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
      throw new PayPalRequestError('not_sent', `no PayPal access token (HTTP ${response.status})`);
    }
    const lifetimeSeconds = Math.max(0, body.expires_in - tokenRenewalMarginSeconds);
    this.#token = { value: body.access_token, renewAt: Date.now() + lifetimeSeconds * 1000 };
    return body.access_token;
  }

  /**
   * One REST call. A 401 means PayPal did not accept the token (revoked or expired early) and acted on nothing, so the
   * call is repeated once with a fresh token.
   */
  async request(method: 'GET' | 'POST', path: string, options: PayPalRequestOptions): Promise<HttpOutcome> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.#accessToken();
      const outcome = await this.#send(method, path, token, options);
      if (outcome !== 'unauthorized') return outcome;
      this.#token = null;
      if (attempt >= 1) throw new PayPalRequestError('configuration', 'PayPal refused a fresh access token (HTTP 401)', 401);
    }
  }

  async #send(method: 'GET' | 'POST', path: string, token: string, options: PayPalRequestOptions): Promise<HttpOutcome | 'unauthorized'> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    let body: string | undefined;
    // Operations without a request body (void) get none: PayPal documents no body for them.
    if (method === 'POST' && (options.rawBody !== undefined || options.body !== undefined)) {
      headers['content-type'] = 'application/json';
      body = options.rawBody ?? JSON.stringify(options.body);
    }
    if (options.requestId !== undefined) headers['paypal-request-id'] = options.requestId;
    if (options.representation) headers.prefer = 'return=representation';
    let response: Response;
    let text: string;
    try {
      ({ response, text } = await fetchWithDeadline(this.#config.endpoint + path, { method, headers, body }, this.#config.timeoutMs));
    } catch (error) {
      return classifyFetchFailure(error);
    }
    if (response.status >= 500) return { kind: 'ambiguous', detail: `HTTP ${response.status}` };
    if (response.status === 401) return 'unauthorized';
    let parsed: unknown = {};
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        return response.ok ? { kind: 'ambiguous', detail: 'unreadable response' } : { kind: 'rejected', status: response.status, issue: null, debugId: null };
      }
    }
    if (response.ok) return { kind: 'ok', status: response.status, body: parsed };
    const error = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { details?: { issue?: unknown }[]; debug_id?: unknown };
    const issue = Array.isArray(error.details) && typeof error.details[0]?.issue === 'string' ? error.details[0].issue : null;
    // PayPal's "a previous request with this PayPal-Request-Id is still in progress": the outcome is not known yet.
    if (response.status === 409 || issue === 'PREVIOUS_REQUEST_IN_PROGRESS') return { kind: 'ambiguous', detail: 'previous request still in progress' };
    return { kind: 'rejected', status: response.status, issue, debugId: typeof error.debug_id === 'string' ? error.debug_id : null };
  }
}
