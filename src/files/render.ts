import { purposeRules } from './purposes.ts';
import type { FileRow } from './repository.ts';

/** Where a file's bytes are read with the secret key (Stripe: https://files.stripe.com/v1/files/<id>/contents). */
export function fileContentsPath(id: string): string {
  return `/v1/files/${id}/contents`;
}

/**
 * Stripe's `file` object. Payrail keeps uploaded files (no `expires_at`) and has no file links yet, so `links` is
 * always Stripe's empty list; `url` is null for purposes whose files cannot be downloaded (identity documents).
 */
export function renderFile(row: FileRow, publicUrl: string): Record<string, unknown> {
  return {
    id: row.id,
    object: 'file',
    created: row.created,
    expires_at: null,
    filename: row.filename,
    links: { object: 'list', data: [], has_more: false, url: `/v1/file_links?file=${row.id}` },
    purpose: row.purpose,
    size: row.size,
    title: null,
    type: row.type,
    url: purposeRules[row.purpose].downloadable ? `${publicUrl}${fileContentsPath(row.id)}` : null,
  };
}
