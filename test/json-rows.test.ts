import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonRows, RawJson } from '../src/platform/statements.ts';

/** JSON rows parameters (src/platform/statements.ts): what PostgreSQL's json_populate_record reads. */
describe('jsonRows', () => {
  it('writes plain rows as JSON, leaving out undefined fields and keeping the key order', () => {
    const rows = [{ id: 'pi_1', amount: 2000, metadata: { b: '2', a: '1' }, missing: undefined, canceled_at: null, types: ['card'] }];
    assert.equal(jsonRows(rows), '[{"id":"pi_1","amount":2000,"metadata":{"b":"2","a":"1"},"canceled_at":null,"types":["card"]}]');
  });

  it('writes bytes as bytea hex text and raw JSON as it is', () => {
    const rows = [{ id: 'evt_1', data: new RawJson('{"object":{"id":"pi_1","z":1,"a":2}}'), secret: Buffer.from([0, 255, 16]), gone: undefined }, { id: 'evt_2' }];
    const text = jsonRows(rows);
    assert.equal(text, '[{"id":"evt_1","data":{"object":{"id":"pi_1","z":1,"a":2}},"secret":"\\\\x00ff10"},{"id":"evt_2"}]');
    assert.deepEqual(JSON.parse(text)[0].secret, '\\x00ff10');
  });
});
