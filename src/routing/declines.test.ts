import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hardDeclineCodes, isHardDecline, softDeclineCodes } from './declines.ts';
import { defaultRoutingProfile } from './profile.ts';
import type { RoutingProfile } from './types.ts';

function withFailover(changes: Partial<RoutingProfile['failover']>): RoutingProfile {
  return { ...defaultRoutingProfile, failover: { ...defaultRoutingProfile.failover, ...changes } };
}

describe('decline classification', () => {
  it('retries only soft declines elsewhere by default', () => {
    for (const code of ['processing_error', 'try_again_later', 'issuer_not_available', 'reenter_transaction']) {
      assert.equal(isHardDecline(code, defaultRoutingProfile), false, code);
    }
    for (const code of ['stolen_card', 'lost_card', 'pickup_card', 'fraudulent', 'insufficient_funds', 'expired_card', 'incorrect_number', 'incorrect_cvc',
      'invalid_account', 'authentication_required', 'do_not_honor', 'generic_decline', 'card_velocity_exceeded']) {
      assert.equal(isHardDecline(code, defaultRoutingProfile), true, code);
    }
  });

  it('treats unknown codes as hard', () => {
    assert.equal(isHardDecline('a_code_from_the_future', defaultRoutingProfile), true);
    assert.equal(isHardDecline('', defaultRoutingProfile), true);
  });

  it('retries do_not_honor and insufficient_funds only when the profile says so', () => {
    assert.equal(isHardDecline('do_not_honor', withFailover({ retryDoNotHonor: true })), false);
    assert.equal(isHardDecline('insufficient_funds', withFailover({ retryDoNotHonor: true })), true, 'the options are independent');
    assert.equal(isHardDecline('insufficient_funds', withFailover({ retryInsufficientFunds: true })), false);
    assert.equal(isHardDecline('stolen_card', withFailover({ retryDoNotHonor: true, retryInsufficientFunds: true })), true, 'no option makes a stolen card soft');
  });

  it('keeps the soft and hard lists apart', () => {
    for (const code of softDeclineCodes) assert.equal(hardDeclineCodes.has(code), false, code);
    for (const code of hardDeclineCodes) assert.equal(isHardDecline(code, withFailover({ retryDoNotHonor: true, retryInsufficientFunds: true })), true, code);
  });
});
