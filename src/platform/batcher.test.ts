import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher } from './batcher.ts';

describe('Batcher', () => {
  it('sends the items added in one turn of the event loop as one batch, each caller getting its own result', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher(async (items: number[]) => {
      batches.push(items);
      return items.map((item) => item * 10);
    }, { sizeMax: 100, delayMs: 0, inFlightMax: 1 });
    const results = await Promise.all([1, 2, 3, 4].map((item) => batcher.add(item)));
    assert.deepEqual(results, [10, 20, 30, 40]);
    assert.deepEqual(batches, [[1, 2, 3, 4]]);
  });

  it('never sends more than sizeMax items at once, nor more than inFlightMax batches at a time', async () => {
    const batches: number[][] = [];
    let running = 0;
    let runningMax = 0;
    const batcher = new Batcher(async (items: number[]) => {
      running += 1;
      runningMax = Math.max(runningMax, running);
      batches.push(items);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      return items;
    }, { sizeMax: 3, delayMs: 0, inFlightMax: 2 });
    const items = Array.from({ length: 10 }, (_, index) => index);
    assert.deepEqual(await Promise.all(items.map((item) => batcher.add(item))), items);
    assert.ok(batches.every((batch) => batch.length <= 3));
    assert.deepEqual(batches.flat().sort((a, b) => a - b), items, 'every item exactly once');
    assert.equal(runningMax, 2);
  });

  it('gathers items that arrive while every batch slot is busy into the next batch', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => { release = resolve; });
    const batcher = new Batcher(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await first;
      return items;
    }, { sizeMax: 100, delayMs: 0, inFlightMax: 1 });
    const one = batcher.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((item) => batcher.add(item));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await Promise.all([one, ...later]);
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  it('rejects every caller of a batch that fails, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new Batcher(async (items: number[]) => {
      calls += 1;
      if (calls === 1) throw new Error('database down');
      return items;
    }, { sizeMax: 100, delayMs: 0, inFlightMax: 1 });
    const failed = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    assert.deepEqual(failed.map((result) => result.status), ['rejected', 'rejected']);
    assert.equal(await batcher.add(3), 3);
    await batcher.drained();
  });
});
