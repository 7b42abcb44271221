import { randomBytes } from 'node:crypto';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Characters after the prefix: 24 base62 characters, of which `idTimeLength` tell the time and the rest are random. */
export const idLength = 24;
/**
 * The first characters of an id after its prefix are the milliseconds since 2020-01-01 in base 36, lowercase (digits
 * and lowercase letters sort alike in every collation, C or linguistic): ids minted together sort together, so a
 * table's primary key and the indexes keyed by ids (charges by intent, postings by entry) grow at their right edge
 * instead of at a random page each. A random key touches a different index page per row, and after every
 * checkpoint the first write to each page logs the whole 8 KB page: 7.6 full-page images, 41-60 KB of WAL per payment
 * on a 150,000-payment database (issue 13). The time is no secret: every object shows its `created`.
 */
export const idTimeLength = 8;
/** The random rest: 16 base62 characters carry about 95 bits, beyond guessing. */
export const idRandomLength = idLength - idTimeLength;
const idEpochMs = Date.UTC(2020, 0, 1);

/** Random bytes are drawn from the OS in blocks of this size: one system call serves many ids. */
const randomBlockBytes = 4096;
let block = randomBytes(randomBlockBytes);
let blockOffset = 0;

function nextRandomByte(): number {
  if (blockOffset === randomBlockBytes) {
    block = randomBytes(randomBlockBytes);
    blockOffset = 0;
  }
  return block[blockOffset++];
}

/**
 * `length` CSPRNG bytes from the same blocks, each consumed once: for values that need fresh randomness many times a
 * second, such as AES-GCM nonces (a 12-byte `randomBytes` call cost 1.4% of Node's CPU at full load, issue 13).
 */
export function pooledRandomBytes(length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let index = 0; index < length; index += 1) bytes[index] = nextRandomByte();
  return bytes;
}

/** Unbiased base62 string from the OS random source (CSPRNG bytes, consumed once each). */
export function randomBase62(length: number): string {
  let result = '';
  while (result.length < length) {
    const byte = nextRandomByte();
    // 62 * 4 = 248: bytes at or above it would bias the alphabet, so they are skipped.
    if (byte < 248) result += alphabet[byte % 62];
  }
  return result;
}

export type IdPrefix = 'acct' | 'cus' | 'pm' | 'pi' | 'ch' | 're' | 'evt' | 'req' | 'key' | 'auth' | 'py' | 'le' | 'txn' | 'po' | 'ba' | 'we' | 'pcc' | 'pa' | 'tok' | 'card' | 'prod' | 'price' | 'cs' | 'li' | 'plink' | 'seti' | 'setatt' | 'file' | 'tr' | 'trr' | 'fee' | 'fr' | 'person' | 'pmc' | 'mandate' | 'dp' | 'issfr';

/** A public id such as `pi_0mq3k2x7Nf...`: the prefix names the object type; ids minted later sort later (to the ms). */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${idTime(Date.now())}${randomBase62(idRandomLength)}`;
}

/** `milliseconds` as an id's time characters (base 36, zero-padded); ids stay 24 characters until 2109. */
export function idTime(milliseconds: number): string {
  return Math.max(0, milliseconds - idEpochMs).toString(36).padStart(idTimeLength, '0');
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
