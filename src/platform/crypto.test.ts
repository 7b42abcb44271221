import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { encryptionKeyCheck, encryptionKeyId, SecretBox, UnknownEncryptionKeyError } from './crypto.ts';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never contains the plaintext', () => {
    const sealed = box.encrypt('4242424242424242', 'pm_1');
    assert.equal(box.decrypt(sealed, 'pm_1'), '4242424242424242');
    assert.equal(sealed.includes(Buffer.from('4242424242424242')), false);
  });

  it('uses a fresh nonce each time', () => {
    assert.notDeepEqual(box.encrypt('4242424242424242', 'pm_1'), box.encrypt('4242424242424242', 'pm_1'));
    // Nonces come from a pool of CSPRNG bytes, each byte used once: 10,000 values (several pool refills) never repeat one.
    const nonces = new Set(Array.from({ length: 10_000 }, () => box.encrypt('4242424242424242', 'pm_1').subarray(9, 21).toString('hex')));
    assert.equal(nonces.size, 10_000);
  });

  it('refuses tampered ciphertext and ciphertext moved to another row', () => {
    const sealed = box.encrypt('4242424242424242', 'pm_1');
    assert.throws(() => box.decrypt(sealed, 'pm_2'));
    const tampered = Buffer.from(sealed);
    tampered[15] ^= 1;
    assert.throws(() => box.decrypt(tampered, 'pm_1'));
  });

  it('fingerprints deterministically per key', () => {
    assert.equal(box.fingerprint('4242424242424242'), box.fingerprint('4242424242424242'));
    assert.notEqual(box.fingerprint('4242424242424242'), box.fingerprint('5555555555554444'));
    assert.notEqual(new SecretBox(randomBytes(32)).fingerprint('4242424242424242'), box.fingerprint('4242424242424242'));
    assert.throws(() => new SecretBox(randomBytes(16)));
  });

  it('names the key in every ciphertext, and refuses one written with another key with a message saying so', () => {
    const key = randomBytes(32);
    const mine = new SecretBox(key);
    const sealed = mine.encrypt('4242424242424242', 'pm_1');
    assert.equal(sealed[0], 2);
    assert.equal(sealed.subarray(1, 9).toString('hex'), mine.keyId);
    assert.equal(mine.keyId, encryptionKeyId(key).toString('hex'));
    const other = new SecretBox(randomBytes(32));
    assert.throws(() => other.decrypt(sealed, 'pm_1'), (error: Error) => error instanceof UnknownEncryptionKeyError && error.message.includes(mine.keyId) && error.message.includes('PAYRAIL_ENCRYPTION_KEY'));
    // A box holding the old key as well (rotation) reads both.
    const rotated = new SecretBox(randomBytes(32), [key]);
    assert.equal(rotated.decrypt(sealed, 'pm_1'), '4242424242424242');
    assert.equal(rotated.decrypt(rotated.encrypt('x', 'a'), 'a'), 'x');
  });

  it('still reads version 1 ciphertexts, written before they named their key', () => {
    const key = randomBytes(32);
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from('pm_old', 'utf8'));
    const body = Buffer.concat([cipher.update('4000056655665556', 'utf8'), cipher.final()]);
    const legacy = Buffer.concat([Buffer.from([1]), nonce, body, cipher.getAuthTag()]);
    assert.equal(new SecretBox(key).decrypt(legacy, 'pm_old'), '4000056655665556');
  });

  it('derives a key id and a check value that differ from each other and from the key', () => {
    const key = randomBytes(32);
    assert.equal(encryptionKeyId(key).length, 8);
    assert.notDeepEqual(encryptionKeyCheck(key).subarray(0, 8), encryptionKeyId(key));
    assert.ok(!encryptionKeyCheck(key).equals(key));
    assert.deepEqual(encryptionKeyCheck(key), encryptionKeyCheck(Buffer.from(key)));
  });
});
