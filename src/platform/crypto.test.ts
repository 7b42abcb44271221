import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecretBox } from './crypto.ts';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never contains the plaintext', () => {
    const sealed = box.encrypt('4242424242424242', 'pm_1');
    assert.equal(box.decrypt(sealed, 'pm_1'), '4242424242424242');
    assert.equal(sealed.includes(Buffer.from('4242424242424242')), false);
  });

  it('uses a fresh nonce each time', () => {
    assert.notDeepEqual(box.encrypt('4242424242424242', 'pm_1'), box.encrypt('4242424242424242', 'pm_1'));
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
});
