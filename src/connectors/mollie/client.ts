import { ConnectorRequestError } from '../connector.ts';
import { RestClient, type RestOutcome } from '../shared/rest-client.ts';

// Mollie's REST transport: the shared JSON client (../shared/rest-client.ts) with Mollie's API key, its Idempotency-Key
// header and its error body (`detail`, `field`). Split from connector.ts, which holds the flows.

/**
 * A request Mollie did not act on (see `ConnectorRequestError`): `not_sent` (nothing reached Mollie: failover is safe)
 * or `configuration` (Mollie refused the API key: 401/403).
 */
export class MollieRequestError extends ConnectorRequestError {}

export type MollieOutcome = RestOutcome;

export interface MollieClientConfig {
  /** Mollie's API root without a trailing slash (https://api.mollie.com, or a sandbox's URL). */
  endpoint: string;
  apiKey: string;
  timeoutMs: number;
  /** An extra certificate (PEM) to trust besides the public roots: a test sandbox's self-signed certificate. */
  caCertificate?: string;
}

export class MollieClient extends RestClient {
  constructor(config: MollieClientConfig) {
    super({
      endpoint: config.endpoint,
      timeoutMs: config.timeoutMs,
      ...(config.caCertificate !== undefined ? { caCertificate: config.caCertificate } : {}),
      headers: { authorization: `Bearer ${config.apiKey}`, accept: 'application/hal+json' },
      idempotencyHeader: 'idempotency-key',
      refusedCredential: (status) => new MollieRequestError('configuration', `Mollie refused the API key (HTTP ${status})`, status),
      readRejection: (body) => ({ detail: typeof body.detail === 'string' ? body.detail : null, field: typeof body.field === 'string' ? body.field : null }),
    });
  }
}
