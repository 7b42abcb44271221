import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changedAttributes, renderEvent, renderEventJson } from './service.ts';

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

describe('renderEventJson', () => {
  it('is JSON.stringify(renderEvent(row)) byte for byte, with the stored data text spliced in', () => {
    const data = { object: { id: 'pi_1', object: 'payment_intent', amount: 2000, metadata: { 'quote"d': 'é\u2028' }, nested: [null, true, 1.5] }, previous_attributes: { status: 'requires_confirmation' } };
    const rows = [
      { id: 'evt_1', account_id: 'acct_1', livemode: false, type: 'payment_intent.succeeded', api_version: '2025-10-29.clover', data, request_id: 'req_1', idempotency_key: 'key "1"', created: 1_765_000_000 },
      { id: 'evt_2', account_id: 'acct_2', livemode: true, type: 'customer.created', api_version: null, data, request_id: null, idempotency_key: null, created: 0 },
    ];
    for (const row of rows) assert.equal(renderEventJson(row, JSON.stringify(row.data)), JSON.stringify(renderEvent(row)));
  });
});
