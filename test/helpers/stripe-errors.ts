import assert from 'node:assert/strict';
import type Stripe from 'stripe';

/** Awaits a promise that must fail with a Stripe error and checks its class, raw type, code, param and status. */
export async function expectStripeError(
  promise: Promise<unknown>,
  expected: { class: new (...args: never[]) => Stripe.errors.StripeError; type?: string; code?: string; param?: string; statusCode: number },
): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof expected.class, `expected ${expected.class.name}, got ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
    const stripeError = error as Stripe.errors.StripeError;
    assert.equal(stripeError.statusCode, expected.statusCode);
    if (expected.type !== undefined) assert.equal((stripeError.raw as { type?: string }).type, expected.type);
    if (expected.code !== undefined) assert.equal(stripeError.code, expected.code);
    if (expected.param !== undefined) assert.equal(stripeError.param, expected.param);
    return stripeError;
  }
  assert.fail('expected the request to fail');
}
