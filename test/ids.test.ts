import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idTime, newId } from '../src/platform/ids.ts';

/** Public ids (src/platform/ids.ts): Stripe's shape, unguessable, and in minting order so indexes grow at one edge. */
describe('ids', () => {
  it('are the prefix and 24 base62 characters: 8 of time, 16 random', () => {
    const ids = Array.from({ length: 1000 }, () => newId('pi'));
    for (const id of ids) assert.match(id, /^pi_[0-9a-z]{8}[0-9A-Za-z]{16}$/);
    assert.equal(new Set(ids).size, ids.length);
    // The random part uses the whole alphabet (1000 ids x 16 characters: every one of the 62 shows up).
    assert.equal(new Set(ids.flatMap((id) => [...id.slice(11)])).size, 62);
  });

  it('sort in the order they were minted, to the millisecond, by code point and in a linguistic collation alike', () => {
    const times = [0, 1, 35, 36, 1_000, 86_400_000, Date.UTC(2026, 11, 6) - Date.UTC(2020, 0, 1), 36 ** 8 - 1];
    const texts = times.map((ms) => idTime(Date.UTC(2020, 0, 1) + ms));
    for (const text of texts) assert.equal(text.length, 8);
    assert.deepEqual([...texts].sort(), texts);
    assert.deepEqual([...texts].sort((a, b) => a.localeCompare(b, 'en')), texts);
    const first = newId('ch');
    const later = Date.now() + 2;
    while (Date.now() < later) { /* the next millisecond */ }
    assert.ok(newId('ch') > first);
  });
});
