import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { FilePurpose, FileType } from './purposes.ts';

// The `files` table (what a file is) and `file_contents` (its bytes, read only to serve them).

/** A `files` row. */
export interface FileRow {
  seq: number;
  id: string;
  account_id: string;
  livemode: boolean;
  purpose: FilePurpose;
  type: FileType;
  size: number;
  filename: string | null;
  created: number;
}

export interface NewFile {
  id: string;
  purpose: FilePurpose;
  type: FileType;
  filename: string | null;
  data: Buffer;
  created: number;
}

/** Inserts a file and its bytes in one statement (one commit, whoever runs it). */
export async function insertFile(db: Queryable, scope: Scope, file: NewFile): Promise<FileRow> {
  const result = await db.query<FileRow>(
    `WITH inserted AS (
       INSERT INTO files (id, account_id, livemode, purpose, type, size, filename, created)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *
     ), contents AS (
       INSERT INTO file_contents (file_id, bytes) SELECT id, $9 FROM inserted
     )
     SELECT * FROM inserted`,
    [file.id, scope.accountId, scope.livemode, file.purpose, file.type, file.data.length, file.filename, file.created, file.data],
  );
  return result.rows[0];
}

/** A file of the account and mode. */
export async function findFile(db: Queryable, scope: Scope, id: string): Promise<FileRow | undefined> {
  const result = await db.query<FileRow>('SELECT * FROM files WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
  return result.rows[0];
}

/** The bytes of a file of the account and mode. */
export async function findFileContents(db: Queryable, scope: Scope, id: string): Promise<{ file: FileRow; bytes: Buffer } | undefined> {
  const result = await db.query<FileRow & { bytes: Buffer }>(
    `SELECT f.*, c.bytes FROM files f JOIN file_contents c ON c.file_id = f.id
     WHERE f.id = $1 AND (f.account_id, f.livemode) IS NOT DISTINCT FROM ($2, $3)`,
    [id, scope.accountId, scope.livemode],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  const { bytes, ...file } = row;
  return { file, bytes };
}

/**
 * The bytes of a file that is some account's current branding icon or logo, for the public path the payment pages
 * load it from; undefined for any other file (another purpose, or an icon the account no longer uses).
 */
export async function findCurrentBrandingImage(db: Queryable, id: string): Promise<{ type: FileType; bytes: Buffer } | undefined> {
  const result = await db.query<{ type: FileType; bytes: Buffer }>(
    `SELECT f.type, c.bytes FROM files f JOIN file_contents c ON c.file_id = f.id
     WHERE f.id = $1 AND f.purpose IN ('business_icon', 'business_logo')
       AND EXISTS (SELECT 1 FROM account_settings s WHERE s.account_id = f.account_id AND f.id IN (s.branding_icon, s.branding_logo))`,
    [id],
  );
  return result.rows[0];
}

export function listFiles(db: Queryable, scope: Scope, page: PageRequest, filters: { purpose?: string }): Promise<Page<FileRow>> {
  const conditions = filters.purpose === undefined ? [] : [{ sql: 'purpose = $?', value: filters.purpose }];
  return listPage<FileRow>(db, { table: 'files', objectName: 'file', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}
