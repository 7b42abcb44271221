import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreakers, defaultBreakerSettings } from './circuit-breaker.ts';

const start = 1_700_000_000_000;

describe('circuit breakers', () => {
  it('opens after consecutive failures, whatever the volume', () => {
    const breakers = new CircuitBreakers({ consecutiveFailuresMax: 3 });
    breakers.record('pcc_a', 'failure', start);
    breakers.record('pcc_a', 'failure', start + 1);
    breakers.record('pcc_a', 'success', start + 2);
    breakers.record('pcc_a', 'failure', start + 3);
    breakers.record('pcc_a', 'failure', start + 4);
    assert.equal(breakers.state('pcc_a', start + 4), 'closed', 'a success resets the run');
    breakers.record('pcc_a', 'failure', start + 5);
    assert.equal(breakers.state('pcc_a', start + 5), 'open');
    assert.equal(breakers.acquire('pcc_a', start + 6), false, 'an open breaker refuses calls');
    assert.equal(breakers.state('pcc_b', start + 6), 'closed', 'breakers are per key');
    assert.equal(breakers.acquire('pcc_b', start + 6), true);
  });

  it('opens on the failure rate over the window once there are enough calls', () => {
    const breakers = new CircuitBreakers({ minimumCalls: 10, failureRatePercent: 50, consecutiveFailuresMax: 100 });
    let at = start;
    // Alternating outcomes: 50% failures, but below the minimum volume the rate is not trusted.
    for (let index = 0; index < 9; index++) breakers.record('pcc_a', index % 2 === 0 ? 'success' : 'failure', at++);
    assert.equal(breakers.state('pcc_a', at), 'closed');
    breakers.record('pcc_a', 'failure', at++);
    assert.equal(breakers.state('pcc_a', at), 'open', '5 failures in 10 calls reach 50%');

    const healthy = new CircuitBreakers({ minimumCalls: 10, failureRatePercent: 50, consecutiveFailuresMax: 100 });
    for (let index = 0; index < 40; index++) healthy.record('pcc_b', index % 3 === 0 ? 'failure' : 'success', start + index);
    assert.equal(healthy.state('pcc_b', start + 40), 'closed', 'a third failing stays below 50%');
  });

  it('does not count failures that left the window', () => {
    const breakers = new CircuitBreakers({ minimumCalls: 4, failureRatePercent: 50, consecutiveFailuresMax: 100, windowMs: 10_000, bucketCount: 10 });
    breakers.record('pcc_a', 'failure', start);
    breakers.record('pcc_a', 'failure', start + 1);
    breakers.record('pcc_a', 'success', start + 20_000);
    breakers.record('pcc_a', 'success', start + 20_001);
    breakers.record('pcc_a', 'failure', start + 20_002);
    assert.equal(breakers.state('pcc_a', start + 20_002), 'closed', '1 failure in the 3 calls of the window');
  });

  it('half-opens after the cooldown, lets one probe through, and closes when it succeeds', () => {
    const breakers = new CircuitBreakers({ consecutiveFailuresMax: 1, cooldownMs: 30_000 });
    breakers.record('pcc_a', 'failure', start);
    assert.equal(breakers.state('pcc_a', start + 29_999), 'open');
    assert.equal(breakers.state('pcc_a', start + 30_000), 'half_open');
    assert.equal(breakers.acquire('pcc_a', start + 30_000), true, 'the first caller is the probe');
    assert.equal(breakers.acquire('pcc_a', start + 30_001), false, 'one probe at a time');
    assert.equal(breakers.acquire('pcc_a', start + 30_002), false);
    assert.equal(breakers.state('pcc_a', start + 30_002), 'half_open');
    breakers.record('pcc_a', 'success', start + 30_500);
    assert.equal(breakers.state('pcc_a', start + 30_500), 'closed');
    assert.equal(breakers.acquire('pcc_a', start + 30_501), true);
    assert.equal(breakers.acquire('pcc_a', start + 30_502), true, 'closed: every call goes');
  });

  it('re-opens for another cooldown when the probe fails', () => {
    const breakers = new CircuitBreakers({ consecutiveFailuresMax: 1, cooldownMs: 10_000 });
    breakers.record('pcc_a', 'failure', start);
    assert.equal(breakers.acquire('pcc_a', start + 10_000), true);
    breakers.record('pcc_a', 'failure', start + 10_100);
    assert.equal(breakers.state('pcc_a', start + 10_100), 'open');
    assert.equal(breakers.acquire('pcc_a', start + 20_099), false);
    assert.equal(breakers.state('pcc_a', start + 20_100), 'half_open', 'the new cooldown runs from the failed probe');
    assert.equal(breakers.acquire('pcc_a', start + 20_100), true);
  });

  it('lets another probe go when one never reports', () => {
    const breakers = new CircuitBreakers({ consecutiveFailuresMax: 1, cooldownMs: 10_000, probeTimeoutMs: 5_000 });
    breakers.record('pcc_a', 'failure', start);
    assert.equal(breakers.acquire('pcc_a', start + 10_000), true);
    assert.equal(breakers.acquire('pcc_a', start + 14_999), false);
    assert.equal(breakers.acquire('pcc_a', start + 15_000), true, 'the lost probe no longer holds the slot');
  });

  it('ignores outcomes recorded while open', () => {
    const breakers = new CircuitBreakers({ consecutiveFailuresMax: 2, cooldownMs: 10_000 });
    breakers.record('pcc_a', 'failure', start);
    breakers.record('pcc_a', 'failure', start + 1);
    breakers.record('pcc_a', 'success', start + 2);
    assert.equal(breakers.state('pcc_a', start + 2), 'open', 'a late success of an earlier call does not close it');
    breakers.record('pcc_a', 'failure', start + 9_000);
    assert.equal(breakers.state('pcc_a', start + 10_001), 'half_open', 'nor does a late failure extend the cooldown');
  });

  it('closes with a fresh window', () => {
    const breakers = new CircuitBreakers({ minimumCalls: 4, failureRatePercent: 50, consecutiveFailuresMax: 3, cooldownMs: 1_000 });
    for (let index = 0; index < 3; index++) breakers.record('pcc_a', 'failure', start + index);
    assert.equal(breakers.acquire('pcc_a', start + 1_002), true);
    breakers.record('pcc_a', 'success', start + 1_003);
    breakers.record('pcc_a', 'failure', start + 1_004);
    breakers.record('pcc_a', 'success', start + 1_005);
    breakers.record('pcc_a', 'success', start + 1_006);
    assert.equal(breakers.state('pcc_a', start + 1_006), 'closed', 'the failures before opening no longer count');
  });

  it('has defaults that open on an outage within a few calls', () => {
    const breakers = new CircuitBreakers();
    for (let index = 0; index < defaultBreakerSettings.consecutiveFailuresMax; index++) breakers.record('pcc_a', 'failure', start + index);
    assert.equal(breakers.state('pcc_a', start + 10), 'open');
  });
});
