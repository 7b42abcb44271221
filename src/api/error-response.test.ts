import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../platform/errors.ts';
import { messageLengthMax, paramLengthMax, publicErrorBody } from './error-response.ts';

describe('publicErrorBody', () => {
  it("keeps an echoed parameter name within Stripe's limits on param and message (a 60,000-character name)", () => {
    const name = 'x'.repeat(60_000);
    const body = publicErrorBody(new ApiError('parameter_unknown', `Received unknown parameter: ${name}`, { param: name }));
    assert.equal(body.param?.length, paramLengthMax);
    assert.ok(body.param?.endsWith('…'));
    assert.equal(body.message.length, messageLengthMax);
    assert.ok(body.message.startsWith('Received unknown parameter: xxx'));
  });

  it('leaves ordinary errors as they are', () => {
    const body = publicErrorBody(new ApiError('parameter_missing', 'Missing required param: amount.', { param: 'amount' }));
    assert.deepEqual([body.message, body.param], ['Missing required param: amount.', 'amount']);
  });
});
