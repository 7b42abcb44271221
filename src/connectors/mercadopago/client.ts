import { ConnectorRequestError } from '../connector.ts';
import { RestClient } from '../shared/rest-client.ts';

// Mercado Pago's REST transport: the shared JSON client (../shared/rest-client.ts) with the access token, Mercado
// Pago's X-Idempotency-Key header and its error body (`message`, `cause[].description`). Split from connector.ts,
// which holds the flows.

/**
 * A request Mercado Pago did not act on (see `ConnectorRequestError`): `not_sent` (nothing reached Mercado Pago:
 * failover is safe) or `configuration` (Mercado Pago refused the access token: 401/403).
 */
export class MercadoPagoRequestError extends ConnectorRequestError {}

export interface MercadoPagoClientConfig {
  /** Mercado Pago's API root without a trailing slash (https://api.mercadopago.com, or a sandbox's URL). */
  endpoint: string;
  accessToken: string;
  timeoutMs: number;
}

/** What a Mercado Pago error body says: `{message, error, status, cause: [{code, description}]}`. */
function readRejection(body: Record<string, unknown>): { detail: string | null; field: string | null } {
  const cause = Array.isArray(body.cause) ? (body.cause[0] as { description?: unknown } | undefined) : undefined;
  const detail = typeof body.message === 'string' ? body.message : typeof cause?.description === 'string' ? cause.description : null;
  return { detail, field: null };
}

export class MercadoPagoClient extends RestClient {
  constructor(config: MercadoPagoClientConfig) {
    super({
      endpoint: config.endpoint,
      timeoutMs: config.timeoutMs,
      headers: { authorization: `Bearer ${config.accessToken}`, accept: 'application/json' },
      idempotencyHeader: 'x-idempotency-key',
      refusedCredential: (status) => new MercadoPagoRequestError('configuration', `Mercado Pago refused the access token (HTTP ${status})`, status),
      readRejection,
    });
  }
}
