import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { ConnectorRequestError } from '../connector.ts';
import { classifyFetchFailure, readLimited, responseBytesMax } from '../shared/http.ts';

// Mollie's REST transport: one call with the API key, classified into ok / ambiguous / not sent / rejected. Split from
// connector.ts, which holds the flows. Why undici's own fetch and Agent rather than the global fetch: a configuration
// may name an extra certificate authority to trust (`settings[ca_certificate]`, a sandbox's test certificate), and
// only an undici dispatcher can carry one per connector; verification stays on (host name and chain are checked).

/**
 * A request Mollie did not act on (see `ConnectorRequestError`): `not_sent` (nothing reached Mollie: failover is safe)
 * or `configuration` (Mollie refused the API key: 401/403).
 */
export class MollieRequestError extends ConnectorRequestError {}

/** Retries of a POST answered with a 5xx, under the same Idempotency-Key (Mollie replays the first answer). */
export const serverErrorRetriesMax = 2;

export type MollieOutcome =
  | { kind: 'ok'; status: number; body: unknown }
  /** Mollie may or may not have acted: a timeout, a broken connection, a 5xx after the retries, a 409 (in progress). */
  | { kind: 'ambiguous'; detail: string }
  | { kind: 'not_sent'; detail: string }
  /** Mollie answered that it did not act (400/404/410/422): final. `field` names the input it blamed, when it did. */
  | { kind: 'rejected'; status: number; detail: string | null; field: string | null };

export interface MollieClientConfig {
  /** Mollie's API root without a trailing slash (https://api.mollie.com, or a sandbox's URL). */
  endpoint: string;
  apiKey: string;
  timeoutMs: number;
  /** An extra certificate (PEM) to trust besides the public roots: a test sandbox's self-signed certificate. */
  caCertificate?: string;
}

export class MollieClient {
  readonly #config: MollieClientConfig;
  readonly #dispatcher: Agent | undefined;

  constructor(config: MollieClientConfig) {
    this.#config = config;
    this.#dispatcher = config.caCertificate === undefined ? undefined : new Agent({ connect: { ca: [...rootCertificates, config.caCertificate] } });
  }

  /**
   * One REST call. A POST carries `idempotencyKey`; a 5xx answer to it is retried at once with the same key (at most
   * `serverErrorRetriesMax` times), which Mollie answers with the first request's stored result.
   */
  async request(method: 'GET' | 'POST' | 'DELETE', path: string, options: { body?: unknown; idempotencyKey?: string } = {}): Promise<MollieOutcome> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#send(method, path, options);
      const retry = outcome.kind === 'ambiguous' && outcome.detail.startsWith('HTTP 5') && method === 'POST' && options.idempotencyKey !== undefined;
      if (!retry || attempt >= serverErrorRetriesMax) return outcome;
    }
  }

  async #send(method: 'GET' | 'POST' | 'DELETE', path: string, options: { body?: unknown; idempotencyKey?: string }): Promise<MollieOutcome> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#config.apiKey}`, accept: 'application/hal+json' };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    let status: number;
    let text: string;
    try {
      const response = await undiciFetch(this.#config.endpoint + path, {
        method, headers, body, signal: AbortSignal.timeout(this.#config.timeoutMs), ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
      });
      status = response.status;
      text = await readLimited(response as unknown as Response, responseBytesMax);
    } catch (error) {
      return classifyFetchFailure(error);
    }
    if (status >= 500) return { kind: 'ambiguous', detail: `HTTP ${status}` };
    if (status === 401 || status === 403) throw new MollieRequestError('configuration', `Mollie refused the API key (HTTP ${status})`, status);
    // Mollie's "a request with this Idempotency-Key is still being processed": the outcome is not known yet.
    if (status === 409) return { kind: 'ambiguous', detail: 'previous request still in progress' };
    let parsed: unknown = {};
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        return status < 300 ? { kind: 'ambiguous', detail: 'unreadable response' } : { kind: 'rejected', status, detail: null, field: null };
      }
    }
    if (status < 300) return { kind: 'ok', status, body: parsed };
    const error = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { detail?: unknown; field?: unknown };
    return { kind: 'rejected', status, detail: typeof error.detail === 'string' ? error.detail : null, field: typeof error.field === 'string' ? error.field : null };
  }
}
