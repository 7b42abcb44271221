import assert from 'node:assert/strict';
import Stripe from 'stripe';

/** Awaits a call that must fail and returns the SDK's error (anything else fails the test). */
export async function stripeErrorOf(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Stripe.errors.StripeError, `expected a Stripe error, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail with a Stripe error');
}

/** Awaits a promise that must fail with a Stripe error and checks its class, raw type, code, param and status. */
export async function expectStripeError(
  promise: Promise<unknown>,
  expected: { class: new (...args: never[]) => Stripe.errors.StripeError; type?: string; code?: string; param?: string; statusCode: number },
): Promise<Stripe.errors.StripeError> {
  const stripeError = await stripeErrorOf(promise);
  assert.ok(stripeError instanceof expected.class, `expected ${expected.class.name}, got ${stripeError.constructor.name}: ${stripeError.message}`);
  assert.equal(stripeError.statusCode, expected.statusCode);
  if (expected.type !== undefined) assert.equal((stripeError.raw as { type?: string }).type, expected.type);
  if (expected.code !== undefined) assert.equal(stripeError.code, expected.code);
  if (expected.param !== undefined) assert.equal(stripeError.param, expected.param);
  return stripeError;
}
