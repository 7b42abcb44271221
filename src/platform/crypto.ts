import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { pooledRandomBytes } from './ids.ts';

/** Version 1: version | nonce | ciphertext | tag, written before ciphertexts named their key. */
const cipherVersionUnnamed = 1;
/** Version 2: version | key id | nonce | ciphertext | tag. */
const cipherVersion = 2;
const keyIdBytes = 8;
const nonceBytes = 12;
const tagBytes = 16;

/**
 * An encryption key's public name: derived from the key (so every process with the same key agrees on it, with no
 * registry), and revealing nothing about it. Shown as 16 hex digits.
 */
export function encryptionKeyId(key: Buffer): Buffer {
  return createHmac('sha256', key).update('payrail:encryption-key-id').digest().subarray(0, keyIdBytes);
}

/** A value the database keeps to tell a process whether its key is the one data was written with (never the key). */
export function encryptionKeyCheck(key: Buffer): Buffer {
  return createHmac('sha256', key).update('payrail:encryption-key-check').digest();
}

/** Raised when a ciphertext was written with a key this process does not have. */
export class UnknownEncryptionKeyError extends Error {}

/**
 * AES-256-GCM with a fresh 96-bit nonce per value. Each ciphertext names the key it was written with (its key id),
 * so that keys can be rotated later without a flag day: a process can hold several keys and pick the right one.
 */
export class SecretBox {
  readonly #key: Buffer;
  readonly #keyId: Buffer;
  /** Older keys that can still decrypt (rotation); the first key is the one that encrypts. */
  readonly #decryptionKeys = new Map<string, Buffer>();

  constructor(key: Buffer, olderKeys: Buffer[] = []) {
    if (key.length !== 32) throw new Error('the encryption key must be 32 bytes (AES-256)');
    this.#key = key;
    this.#keyId = encryptionKeyId(key);
    for (const candidate of [key, ...olderKeys]) this.#decryptionKeys.set(encryptionKeyId(candidate).toString('hex'), candidate);
  }

  /** The id of the key this box encrypts with (16 hex digits). */
  get keyId(): string {
    return this.#keyId.toString('hex');
  }

  encrypt(plaintext: string, associatedData: string): Buffer {
    const nonce = pooledRandomBytes(nonceBytes);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([cipherVersion]), this.#keyId, nonce, body, cipher.getAuthTag()]);
  }

  decrypt(sealed: Buffer, associatedData: string): string {
    let key: Buffer;
    let rest: Buffer;
    if (sealed[0] === cipherVersion) {
      const keyId = sealed.subarray(1, 1 + keyIdBytes).toString('hex');
      const found = this.#decryptionKeys.get(keyId);
      if (!found) throw new UnknownEncryptionKeyError(`the value was encrypted with key ${keyId}, which this process does not have (its key is ${this.keyId}): set PAYRAIL_ENCRYPTION_KEY to that key`);
      key = found;
      rest = sealed.subarray(1 + keyIdBytes);
    } else if (sealed[0] === cipherVersionUnnamed) {
      // Written before ciphertexts named their key: only the current key can have written it (start-up checks that
      // the database's key is this one).
      key = this.#key;
      rest = sealed.subarray(1);
    } else {
      throw new Error('unknown ciphertext version');
    }
    const nonce = rest.subarray(0, nonceBytes);
    const tag = rest.subarray(rest.length - tagBytes);
    const body = rest.subarray(nonceBytes, rest.length - tagBytes);
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  }

  /**
   * A keyed fingerprint: the same card number gives the same value within one Payrail installation, and the value
   * reveals nothing about the number without the key (a plain hash of a 16-digit number is brute-forceable).
   */
  fingerprint(value: string): string {
    return createHmac('sha256', this.#key).update('fingerprint:' + value).digest('base64url').slice(0, 16);
  }

  /** A keyed digest for values that may contain card data (request fingerprints of idempotency keys). */
  digest(purpose: string, value: string): string {
    return createHmac('sha256', this.#key).update(`${purpose}:${value}`).digest('hex');
  }
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function constantTimeEqual(left: Buffer, right: Buffer): boolean {
  return left.length === right.length && timingSafeEqual(left, right);
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
