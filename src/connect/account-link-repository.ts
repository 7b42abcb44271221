import type { Queryable } from '../platform/db.ts';

// The `account_links` table (db/migrations/030_account_links.sql): the only SQL that touches it. Links are found by
// the hash of their token; the token itself is never stored.

export const accountLinkTypes = ['account_onboarding', 'account_update'] as const;
export type AccountLinkType = (typeof accountLinkTypes)[number];
export const accountLinkCollects = ['currently_due', 'eventually_due'] as const;
export type AccountLinkCollect = (typeof accountLinkCollects)[number];

export interface AccountLinkRow {
  token_hash: Buffer;
  /** The platform that created the link. */
  account_id: string;
  connected_account_id: string;
  livemode: boolean;
  type: AccountLinkType;
  collect: AccountLinkCollect;
  future_requirements: 'include' | 'omit';
  refresh_url: string;
  return_url: string;
  created: number;
  expires_at: number;
  visited_at: number | null;
  session_hash: Buffer | null;
  session_expires_at: number | null;
}

const columns = 'token_hash, account_id, connected_account_id, livemode, type, collect, future_requirements, refresh_url, return_url, created, expires_at, visited_at, session_hash, session_expires_at';

function normalized(row: AccountLinkRow): AccountLinkRow {
  const number = (value: number | string | null) => (value === null ? null : Number(value));
  return { ...row, created: Number(row.created), expires_at: Number(row.expires_at), visited_at: number(row.visited_at), session_expires_at: number(row.session_expires_at) };
}

export async function insertAccountLink(db: Queryable, row: Omit<AccountLinkRow, 'visited_at' | 'session_hash' | 'session_expires_at'>): Promise<void> {
  await db.query(
    `INSERT INTO account_links (token_hash, account_id, connected_account_id, livemode, type, collect, future_requirements, refresh_url, return_url, created, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [row.token_hash, row.account_id, row.connected_account_id, row.livemode, row.type, row.collect, row.future_requirements, row.refresh_url, row.return_url, row.created, row.expires_at],
  );
}

export async function findAccountLink(db: Queryable, tokenHash: Buffer): Promise<AccountLinkRow | undefined> {
  const result = await db.query<AccountLinkRow>(`SELECT ${columns} FROM account_links WHERE token_hash = $1`, [tokenHash]);
  return result.rows[0] ? normalized(result.rows[0]) : undefined;
}

/**
 * The first visit of a link, at most once: an unvisited, unexpired link becomes visited with a new page session. Two
 * browsers opening the same link at once: one gets the session, the other nothing (one UPDATE decides).
 */
export async function visitAccountLink(db: Queryable, tokenHash: Buffer, now: number, sessionHash: Buffer, sessionExpiresAt: number): Promise<AccountLinkRow | undefined> {
  const result = await db.query<AccountLinkRow>(
    `UPDATE account_links SET visited_at = $2, session_hash = $3, session_expires_at = $4
     WHERE token_hash = $1 AND visited_at IS NULL AND expires_at > $2
     RETURNING ${columns}`,
    [tokenHash, now, sessionHash, sessionExpiresAt],
  );
  return result.rows[0] ? normalized(result.rows[0]) : undefined;
}

/** Ends a link's page session (the onboarding is finished): its form cannot be posted again. */
export async function endAccountLinkSession(db: Queryable, tokenHash: Buffer, now: number): Promise<void> {
  await db.query('UPDATE account_links SET session_expires_at = LEAST(session_expires_at, $2) WHERE token_hash = $1', [tokenHash, now]);
}
