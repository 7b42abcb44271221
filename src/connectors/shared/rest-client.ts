import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import type { ConnectorRequestError } from './errors.ts';
import { classifyFetchFailure, connectionErrorCode, readLimited, responseBytesMax } from './http.ts';

// One JSON REST transport for the providers whose APIs share its shape (Mollie, Mercado Pago): a bearer credential, an
// idempotency-key header on POSTs, a 5xx retried under the same key, and every answer classified into ok / ambiguous /
// not sent / rejected. What differs (header names, how an error body names the field it blames) is given by each
// provider's client. Why undici's own fetch and Agent rather than the global fetch: a configuration may name an extra
// certificate authority to trust (a sandbox's test certificate), and only an undici dispatcher can carry one per
// connector; verification stays on (host name and chain are checked).

export type RestOutcome =
  | { kind: 'ok'; status: number; body: unknown }
  /** The provider may or may not have acted: a timeout, a broken connection, a 5xx after the retries, a 409 (in progress). */
  | { kind: 'ambiguous'; detail: string }
  | { kind: 'not_sent'; detail: string }
  /** The provider answered that it did not act (a 4xx other than 401/403/409): final. `field` names the input it blamed. */
  | { kind: 'rejected'; status: number; detail: string | null; field: string | null };

/** Retries of a POST answered with a 5xx, under the same idempotency key (the provider replays the first answer). */
export const serverErrorRetriesMax = 2;

export interface RestClientConfig {
  /** The API root without a trailing slash. */
  endpoint: string;
  timeoutMs: number;
  /** An extra certificate (PEM) to trust besides the public roots: a test sandbox's self-signed certificate. */
  caCertificate?: string;
  /** Headers of every request (the credential, `accept`). */
  headers: Record<string, string>;
  /** The header carrying the idempotency key (`idempotency-key`, `x-idempotency-key`). */
  idempotencyHeader: string;
  /** The error thrown when the provider refuses the credential (401/403): the connector's own ConnectorRequestError. */
  refusedCredential: (status: number) => ConnectorRequestError;
  /** What a rejection's body says: its message and the field it blames, as the provider writes them. */
  readRejection: (body: Record<string, unknown>) => { detail: string | null; field: string | null };
}

/** Connection errors of a request on a connection the other side had closed (a kept-alive socket's race). */
const connectionResetCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

export class RestClient {
  readonly #config: RestClientConfig;
  readonly #dispatcher: Agent | undefined;

  constructor(config: RestClientConfig) {
    this.#config = { ...config, endpoint: config.endpoint.replace(/\/+$/, '') };
    this.#dispatcher = config.caCertificate === undefined ? undefined : new Agent({ connect: { ca: [...rootCertificates, config.caCertificate] } });
  }

  /**
   * One REST call. A POST carries `idempotencyKey`; a 5xx answer to it is retried at once with the same key (at most
   * `serverErrorRetriesMax` times), which the provider answers with the first request's stored result.
   */
  async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: { body?: unknown; idempotencyKey?: string } = {}): Promise<RestOutcome> {
    let resentGet = false;
    for (let attempt = 0; ; attempt++) {
      const { reset, ...outcome } = await this.#send(method, path, options);
      // A GET is safe to repeat: one whose kept-alive connection the provider had closed is sent again once, at once.
      if (reset && method === 'GET' && !resentGet) {
        resentGet = true;
        continue;
      }
      const retry = outcome.kind === 'ambiguous' && outcome.detail.startsWith('HTTP 5') && method !== 'GET' && options.idempotencyKey !== undefined;
      if (!retry || attempt >= serverErrorRetriesMax) return outcome as RestOutcome;
    }
  }

  async #send(method: string, path: string, options: { body?: unknown; idempotencyKey?: string }): Promise<RestOutcome & { reset?: boolean }> {
    const headers: Record<string, string> = { ...this.#config.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    if (options.idempotencyKey !== undefined) headers[this.#config.idempotencyHeader] = options.idempotencyKey;
    let status: number;
    let text: string;
    try {
      const response = await undiciFetch(this.#config.endpoint + path, {
        method, headers, body, signal: AbortSignal.timeout(this.#config.timeoutMs), ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
      });
      status = response.status;
      text = await readLimited(response as unknown as Response, responseBytesMax);
    } catch (error) {
      const failure = classifyFetchFailure(error);
      return connectionResetCodes.has(connectionErrorCode(error) ?? '') ? { ...failure, reset: true } : failure;
    }
    if (status >= 500) return { kind: 'ambiguous', detail: `HTTP ${status}` };
    if (status === 401 || status === 403) throw this.#config.refusedCredential(status);
    // "A request with this idempotency key is still being processed": the outcome is not known yet.
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
    return { kind: 'rejected', status, ...this.#config.readRejection(typeof parsed === 'object' && parsed !== null ? parsed as Record<string, unknown> : {}) };
  }
}

/**
 * Runs a call whose `not_sent` failure should be an outcome rather than an exception (flows that must answer, not fail
 * over): a `ConnectorRequestError` of kind `not_sent` becomes `{ kind: 'not_sent' }`; anything else is rethrown.
 */
export async function notSentAsOutcome(call: () => Promise<RestOutcome>, isOwnError: (error: unknown) => error is ConnectorRequestError): Promise<RestOutcome> {
  try {
    return await call();
  } catch (error) {
    if (isOwnError(error) && error.kind === 'not_sent') return { kind: 'not_sent', detail: error.message };
    throw error;
  }
}
