import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { TestProcessor } from './connectors/test-processor/connector.ts';
import { buildDependencies } from './dependencies.ts';
import { defaultPricing } from './fees/pricing.ts';
import { defaultOrchestrationSettings } from './orchestration/settings.ts';
import { systemClock } from './platform/clock.ts';
import { SecretBox } from './platform/crypto.ts';
import type { Database } from './platform/db.ts';
import { CircuitBreakers } from './routing/circuit-breaker.ts';
import { defaultWebhookSettings } from './webhooks/settings.ts';

// Nothing here queries: building the dependencies does no I/O.
const db = {} as Database;

describe('buildDependencies', () => {
  it('builds them once, frozen with the settings they hold: a change afterwards throws', () => {
    const orchestration = { ...defaultOrchestrationSettings, janitorScheduleSeconds: [1, 2, 3] };
    const breakers = new CircuitBreakers({ cooldownMs: 1_000 });
    const deps = buildDependencies({ db, secretBox: new SecretBox(randomBytes(32)), connector: new TestProcessor(), publicUrl: '', clock: systemClock, orchestration, routingHealth: { breakers } });
    const mutable = deps as unknown as Record<string, Record<string, unknown>>;
    assert.throws(() => { mutable.orchestration.connectorTimeoutMs = 1; }, TypeError);
    assert.throws(() => { (mutable.orchestration.janitorScheduleSeconds as number[]).push(4); }, TypeError);
    assert.throws(() => { mutable.routingHealth.breakers = new CircuitBreakers(); }, TypeError);
    assert.throws(() => { mutable.webhookSettings.timeoutMs = 1; }, TypeError);
    assert.throws(() => { (mutable.pricing.rules as Record<string, Record<string, { fixed: number }>>).card.usd.fixed = 0; }, TypeError);
    assert.throws(() => { mutable.clock = {}; }, TypeError);
    assert.equal(deps.routingHealth.breakers, breakers, 'the routing health given is the one used');
    assert.deepEqual(deps.orchestration.janitorScheduleSeconds, [1, 2, 3]);
  });

  it('freezes copies: what the caller passed, and the defaults, stay as they were', () => {
    const webhookSettings = { ...defaultWebhookSettings };
    buildDependencies({ db, secretBox: new SecretBox(randomBytes(32)), connector: new TestProcessor(), publicUrl: '', clock: systemClock, webhookSettings });
    assert.equal(Object.isFrozen(webhookSettings), false);
    assert.equal(Object.isFrozen(defaultOrchestrationSettings), false);
    assert.equal(Object.isFrozen(defaultPricing.rules.card), false);
  });
});
