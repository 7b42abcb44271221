import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultWebhookSettings, retryDelaySeconds } from './settings.ts';

describe('retryDelaySeconds', () => {
  const low = () => 0;
  const high = () => 0.999_999;

  it('brings the first retry within a minute with the default settings', () => {
    for (const random of [low, high, Math.random]) {
      const delay = retryDelaySeconds(defaultWebhookSettings, 1, random);
      assert.ok(delay > 0 && delay <= 60, `${delay}`);
    }
  });

  it('doubles the delay with each failure', () => {
    const settings = { firstRetrySeconds: 30, retryDelayMaxSeconds: 86_400 };
    const middle = () => 0.5;
    const delays = [1, 2, 3, 4, 5].map((failures) => retryDelaySeconds(settings, failures, middle));
    for (let index = 1; index < delays.length; index += 1) assert.equal(delays[index], 2 * delays[index - 1]);
    assert.equal(delays[0], 30 * 0.75);
  });

  it('stops growing at retryDelayMaxSeconds, however many failures', () => {
    const settings = { firstRetrySeconds: 30, retryDelayMaxSeconds: 6 * 3_600 };
    for (const failures of [10, 20, 100, 10_000]) {
      assert.equal(retryDelaySeconds(settings, failures, high) <= settings.retryDelayMaxSeconds, true);
      assert.ok(Number.isFinite(retryDelaySeconds(settings, failures, high)));
    }
    assert.equal(retryDelaySeconds(settings, 100, low), settings.retryDelayMaxSeconds / 2);
  });

  it('jitters between half of the full delay and all of it', () => {
    const settings = { firstRetrySeconds: 10, retryDelayMaxSeconds: 10_000 };
    assert.equal(retryDelaySeconds(settings, 3, low), 20);
    assert.ok(retryDelaySeconds(settings, 3, high) < 40 && retryDelaySeconds(settings, 3, high) > 39.99);
    for (let sample = 0; sample < 1_000; sample += 1) {
      const delay = retryDelaySeconds(settings, 3);
      assert.ok(delay >= 20 && delay <= 40, `${delay}`);
    }
  });

  it('treats zero or negative failures like the first retry', () => {
    const settings = { firstRetrySeconds: 30, retryDelayMaxSeconds: 3_600 };
    assert.equal(retryDelaySeconds(settings, 0, low), retryDelaySeconds(settings, 1, low));
  });

  it('keeps retrying through the default three-day window (well over a dozen tries even at the longest delays)', () => {
    // With the defaults the cumulative delays (at their longest) reach three days only after a couple of dozen tries.
    let elapsed = 0;
    let retries = 0;
    while (elapsed < defaultWebhookSettings.retryWindowSeconds) {
      retries += 1;
      elapsed += retryDelaySeconds(defaultWebhookSettings, retries, high);
    }
    assert.ok(retries >= 15, `${retries} retries`);
  });
});
