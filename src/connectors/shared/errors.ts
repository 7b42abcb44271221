/**
 * A request a provider did not act on, of a kind the caller must tell apart from an ambiguous outcome (which is
 * `pending`, never an exception):
 * - `not_sent`: nothing reached the provider (connection refused, host not found, or a provider-specific case the
 *   provider documents as not processed); failover is safe;
 * - `configuration`: the provider refused the credentials or the account (401/403); retrying will not help.
 * Each connector throws its own thin subclass so callers and tests can tell providers apart.
 */
export class ConnectorRequestError extends Error {
  constructor(
    readonly kind: 'not_sent' | 'configuration',
    message: string,
    readonly httpStatus: number | null = null,
  ) {
    super(message);
  }
}
