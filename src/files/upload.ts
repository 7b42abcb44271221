import { createHash } from 'node:crypto';

/**
 * A file part of a multipart/form-data request, as the request parser hands it to the route. Its enumerable fields
 * (name, content type, size and a digest of the bytes) are what the idempotency fingerprint sees; the bytes stay in a
 * private field, so fingerprinting a 16 MB upload hashes 64 characters rather than serialising every byte.
 */
export class UploadedFile {
  readonly filename: string | null;
  /** The Content-Type the client gave the part: recorded for nothing, since the type is read from the bytes. */
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  readonly #data: Buffer;

  constructor(data: Buffer, filename: string | null, contentType: string) {
    this.#data = data;
    this.filename = filename;
    this.contentType = contentType;
    this.size = data.length;
    this.sha256 = createHash('sha256').update(data).digest('hex');
  }

  get data(): Buffer {
    return this.#data;
  }
}
