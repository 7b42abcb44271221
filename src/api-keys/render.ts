import type { ApiKeyRow } from './repository.ts';

/**
 * The Payrail extension object `payrail.api_key`. The key itself (`secret`) is shown only in the answer that made it
 * (create, roll); afterwards only its first characters and last four (`redacted`) are known.
 */
export function renderApiKey(row: ApiKeyRow, secret?: string): Record<string, unknown> {
  return {
    id: row.id,
    object: 'payrail.api_key',
    created: row.created,
    expires_at: row.expires_at,
    livemode: row.livemode,
    name: row.name,
    permissions: row.kind === 'restricted' ? (row.permissions ?? {}) : null,
    redacted: `${row.display_prefix}...${row.display_suffix ?? ''}`,
    revoked_at: row.revoked_at,
    rolled_to: row.rolled_to,
    secret: secret ?? null,
    type: row.kind,
  };
}
