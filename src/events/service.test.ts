import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changedAttributes } from './service.ts';

describe('previous_attributes', () => {
  it('lists only what changed, nested keys included, new keys as null', () => {
    const before = { id: 'cus_1', email: 'a@example.com', metadata: { plan: 'basic', region: 'eu' }, address: null, name: 'A' };
    const after = { id: 'cus_1', email: 'b@example.com', metadata: { plan: 'pro', region: 'eu', team: 'x' }, address: { city: 'Paris' }, name: 'A' };
    assert.deepEqual(changedAttributes(before, after), { email: 'a@example.com', metadata: { plan: 'basic', team: null }, address: null });
  });

  it('is empty when nothing changed, and keeps removed nested keys', () => {
    assert.deepEqual(changedAttributes({ a: 1, m: { k: 'v' } }, { a: 1, m: { k: 'v' } }), {});
    assert.deepEqual(changedAttributes({ m: { k: 'v', gone: 'x' } }, { m: { k: 'v' } }), { m: { gone: 'x' } });
    assert.deepEqual(changedAttributes({ list: [1, 2] }, { list: [1] }), { list: [1, 2] });
  });
});
