import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlidingWindow, SuccessRates, successRateBucketCount, successRateWindowMs } from './success-rates.ts';

const minute = 60_000;
const start = 1_700_000_000_000;

describe('success rates', () => {
  it('counts attempts and authorizations per key and dimension', () => {
    const rates = new SuccessRates();
    for (let index = 0; index < 10; index++) rates.record('pcc_a', 'card:usd:visa', index < 7, start + index);
    rates.record('pcc_a', 'card:eur:visa', false, start);
    rates.record('pcc_b', 'card:usd:visa', true, start);
    assert.deepEqual(rates.rate('pcc_a', 'card:usd:visa', start + 10), { attempts: 10, authorized: 7 });
    assert.deepEqual(rates.rate('pcc_a', 'card:eur:visa', start + 10), { attempts: 1, authorized: 0 });
    assert.deepEqual(rates.rate('pcc_b', 'card:usd:visa', start + 10), { attempts: 1, authorized: 1 });
    assert.deepEqual(rates.rate('pcc_c', 'card:usd:visa', start + 10), { attempts: 0, authorized: 0 });
  });

  it('forgets outcomes once they leave the window, a bucket at a time', () => {
    const rates = new SuccessRates();
    rates.record('pcc_a', 'd', false, start);
    rates.record('pcc_a', 'd', true, start + 5 * minute);
    const bucketMs = successRateWindowMs / successRateBucketCount;
    const firstBucketEnd = (Math.floor(start / bucketMs) + 1) * bucketMs;
    assert.deepEqual(rates.rate('pcc_a', 'd', start + 10 * minute), { attempts: 2, authorized: 1 });
    assert.deepEqual(rates.rate('pcc_a', 'd', firstBucketEnd + successRateWindowMs - bucketMs - 1), { attempts: 2, authorized: 1 }, 'the first bucket is still in the window');
    assert.deepEqual(rates.rate('pcc_a', 'd', firstBucketEnd + successRateWindowMs - bucketMs), { attempts: 1, authorized: 1 }, 'the first bucket has left');
    assert.deepEqual(rates.rate('pcc_a', 'd', start + 5 * minute + successRateWindowMs + bucketMs), { attempts: 0, authorized: 0 });
    // A bucket is reused for a later time, starting from zero.
    rates.record('pcc_a', 'd', true, start + successRateWindowMs);
    assert.deepEqual(rates.rate('pcc_a', 'd', start + successRateWindowMs), { attempts: 2, authorized: 2 });
  });

  it('keeps a bounded number of windows, dropping the least recently recorded', () => {
    const rates = new SuccessRates({ seriesMax: 3 });
    rates.record('a', 'd', true, start);
    rates.record('b', 'd', true, start);
    rates.record('c', 'd', true, start);
    rates.record('a', 'd', true, start + 1);
    rates.record('e', 'd', true, start + 2);
    assert.equal(rates.size, 3);
    assert.deepEqual(rates.rate('b', 'd', start + 2), { attempts: 0, authorized: 0 }, 'b was the least recently recorded');
    assert.deepEqual(rates.rate('a', 'd', start + 2), { attempts: 2, authorized: 2 });
  });

  it('drops an outcome older than what its bucket holds', () => {
    const window = new SlidingWindow(1000, 4);
    window.record(true, 10_500);
    window.record(false, 6_500);
    assert.deepEqual(window.totals(10_500), { calls: 1, successes: 1 });
  });
});
