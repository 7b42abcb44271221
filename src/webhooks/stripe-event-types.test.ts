import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { allEventsWildcard, subscribableEventTypes, validateEnabledEvents, webhookEventTypes } from './event-types.ts';
import { stripeEventTypes } from './stripe-event-types.ts';
import { specEnabledEvents, stripeSpecPath } from './stripe-spec.ts';

describe('subscribable event types', () => {
  it("equal the enabled_events enum of Stripe's spec (regenerate with scripts/generate-stripe-event-types.ts)", (context) => {
    if (!fs.existsSync(stripeSpecPath)) {
      context.skip(`Stripe's spec is not at ${stripeSpecPath}`);
      return;
    }
    const spec = JSON.parse(fs.readFileSync(stripeSpecPath, 'utf8'));
    assert.deepEqual([...stripeEventTypes], specEnabledEvents(spec));
  });

  it("accept every Stripe type, Payrail's own types and the wildcard, and nothing else", () => {
    assert.deepEqual(validateEnabledEvents(['payment_intent.processing', 'payment_intent.partially_funded', 'invoice.paid']), ['payment_intent.processing', 'payment_intent.partially_funded', 'invoice.paid']);
    assert.deepEqual(validateEnabledEvents([...subscribableEventTypes, allEventsWildcard]).length, subscribableEventTypes.length + 1);
    for (const type of webhookEventTypes) assert.ok(subscribableEventTypes.includes(type), type);
    assert.throws(() => validateEnabledEvents(['charge.succeeded', 'payment_intent.exploded']), (error: { param?: string }) => error.param === 'enabled_events[1]');
  });
});
