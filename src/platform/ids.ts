import { randomBytes } from 'node:crypto';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Random characters after the prefix: 24 base62 characters carry about 142 bits. */
export const idRandomLength = 24;

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

export type IdPrefix = 'acct' | 'cus' | 'pm' | 'pi' | 'ch' | 're' | 'evt' | 'req' | 'key' | 'auth' | 'py' | 'le' | 'txn' | 'po' | 'ba' | 'we' | 'pcc' | 'pa' | 'tok' | 'card';

/** A public id such as `pi_3Nf...`: the prefix names the object type. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase62(idRandomLength)}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
