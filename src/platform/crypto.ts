import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const cipherVersion = 1;
const nonceBytes = 12;
const tagBytes = 16;

/** AES-256-GCM with a fresh 96-bit nonce per value. Output: version byte | nonce | ciphertext | tag. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the encryption key must be 32 bytes (AES-256)');
    this.#key = key;
  }

  encrypt(plaintext: string, associatedData: string): Buffer {
    const nonce = randomBytes(nonceBytes);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([cipherVersion]), nonce, body, cipher.getAuthTag()]);
  }

  decrypt(sealed: Buffer, associatedData: string): string {
    if (sealed[0] !== cipherVersion) throw new Error('unknown ciphertext version');
    const nonce = sealed.subarray(1, 1 + nonceBytes);
    const tag = sealed.subarray(sealed.length - tagBytes);
    const body = sealed.subarray(1 + nonceBytes, sealed.length - tagBytes);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce);
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
