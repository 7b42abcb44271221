import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { detectFileType } from './detect-type.ts';
import { displaySize, purposeRules, type FilePurpose, type FileType } from './purposes.ts';
import { findCurrentBrandingImage, findFile, findFileContents, insertFile, listFiles, type FileRow } from './repository.ts';
import type { UploadedFile } from './upload.ts';

/** Longest filename kept (Stripe's `filename` is at most 5000 characters); a longer one keeps its end, the extension. */
export const filenameLengthMax = 255;

export interface FileCreateInput {
  file: UploadedFile;
  purpose: FilePurpose;
  /** Stripe creates a file link with the file when `create` is true; Payrail has no file links yet. */
  file_link_data?: { create: boolean };
}

/** The file's type, read from its bytes, once it is known to suit its purpose (size and type); else 400 naming `file`. */
function checkedType(file: UploadedFile, purpose: FilePurpose): FileType {
  const rule = purposeRules[purpose];
  if (file.size === 0) throw new ApiError('invalid_value', 'The file is empty.', { param: 'file' });
  if (file.size > rule.sizeBytesMax) {
    throw new ApiError('invalid_value', `The file is too large: files of purpose ${purpose} may be at most ${displaySize(rule.sizeBytesMax)} (${rule.sizeBytesMax} bytes); this one is ${file.size} bytes.`, { param: 'file' });
  }
  const type = detectFileType(file.data);
  if (type === undefined || !(rule.types as readonly FileType[]).includes(type)) {
    const found = type === undefined ? 'not a file type Payrail recognises' : `a ${type.toUpperCase()} file`;
    throw new ApiError('invalid_value', `Files of purpose ${purpose} must be ${rule.types.map((allowed) => allowed.toUpperCase()).join(', ')}; this one is ${found} (the type is read from the file's contents, not its name or Content-Type).`, { param: 'file' });
  }
  return type;
}

/** Checks that need no database (run before an idempotency key is taken, and again by the creation itself). */
export function checkFileCreate(input: FileCreateInput): void {
  if (input.file_link_data?.create === true) {
    throw new ApiError('invalid_value', 'Payrail does not support file links yet: create the file without file_link_data[create] (its url serves it to your secret key).', { param: 'file_link_data[create]' });
  }
  checkedType(input.file, input.purpose);
}

/** The name kept for a file: the client's, without path or control characters, cut to `filenameLengthMax` from the end. */
function keptFilename(filename: string | null): string | null {
  if (filename === null) return null;
  const base = filename.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (clean === '') return null;
  return clean.length > filenameLengthMax ? clean.slice(-filenameLengthMax) : clean;
}

/** Stores an uploaded file (its bytes and what it is) in one commit. */
export async function createFile(work: UnitOfWork, scope: Scope, input: FileCreateInput): Promise<FileRow> {
  checkFileCreate(input);
  const type = checkedType(input.file, input.purpose);
  const file = { id: newId('file'), purpose: input.purpose, type, filename: keptFilename(input.file.filename), data: input.file.data, created: nowSeconds() };
  return work.finalTransaction((client) => insertFile(client, scope, file));
}

export async function retrieveFile(db: Queryable, scope: Scope, id: string, param = 'id'): Promise<FileRow> {
  const row = await findFile(db, scope, id);
  if (!row) throw missing('file', id, param);
  return row;
}

export function listFilePage(db: Queryable, scope: Scope, page: PageRequest, filters: { purpose?: string }): Promise<Page<FileRow>> {
  return listFiles(db, scope, page, filters);
}

/** A file's bytes for its owner's secret key; files whose purpose is not downloadable answer as missing. */
export async function fileContents(db: Queryable, scope: Scope, id: string): Promise<{ file: FileRow; bytes: Buffer }> {
  const found = await findFileContents(db, scope, id);
  if (!found) throw missing('file', id);
  if (!purposeRules[found.file.purpose].downloadable) {
    throw new ApiError('resource_missing', `The contents of file '${id}' cannot be downloaded: files of purpose ${found.file.purpose} are not served back.`, { param: 'id' });
  }
  return found;
}

/** What the payment pages' public image path serves: an account's current icon or logo, or nothing. */
export function currentBrandingImage(db: Queryable, id: string): Promise<{ type: FileType; bytes: Buffer } | undefined> {
  return findCurrentBrandingImage(db, id);
}

/**
 * A file the account may use as its branding `purpose` (an icon or logo it uploaded in this mode); else 400 naming
 * `param`, whether the file is another account's, unknown, or of another purpose.
 */
export async function brandingFile(db: Queryable, scope: Scope, id: string, purpose: 'business_icon' | 'business_logo', param: string): Promise<FileRow> {
  const row = await findFile(db, scope, id);
  if (!row) throw new ApiError('invalid_value', `No such file: '${id}'. Upload the image with purpose ${purpose} first (POST /v1/files).`, { param });
  if (row.purpose !== purpose) throw new ApiError('invalid_value', `The file '${id}' has purpose ${row.purpose}; ${param} takes a file of purpose ${purpose}.`, { param });
  return row;
}
