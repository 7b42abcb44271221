import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSensitiveParam, isStorableText, maskDigitRuns } from './text.ts';

describe('request text', () => {
  it('refuses NUL and unpaired surrogates, accepts everything else', () => {
    for (const bad of ['\u0000', 'a\u0000', '\ud800', 'x\udc00y', '\udfff\ud800']) assert.equal(isStorableText(bad), false, JSON.stringify(bad));
    for (const good of ['', 'plain', '\ud83d\ude00', 'é', '\u202e', '\uffff', '\u0001']) assert.equal(isStorableText(good), true, JSON.stringify(good));
  });

  it('masks every run of 12 or more digits, however it is spaced', () => {
    for (const text of ['4242424242424242', 'card 4242 4242 4242 4242 here', '4242-4242-4242-4242', '4.2.4.2.4.2.4.2.4.2.4.2', `4242424242424242${' '.repeat(30)}`, '123456789012']) {
      assert.doesNotMatch(maskDigitRuns(text).replace(/\D/g, ' '), /\d{12}/, text);
      assert.deepEqual(maskDigitRuns(text).match(/\d(?:[\s.-]*\d){11,}/g), null, text);
    }
    assert.equal(maskDigitRuns('amount 99999999 and id cus_123'), 'amount 99999999 and id cus_123', 'shorter runs stay');
  });

  it('knows which parameters are never echoed', () => {
    for (const param of ['card[number]', 'card[cvc]', 'bank_account[account_number]', 'external_account[iban]', 'credentials[secret_key]', 'webhook_secret', 'client_secret']) assert.equal(isSensitiveParam(param), true, param);
    for (const param of ['amount', 'card[exp_month]', 'description', 'metadata[number_of_items]']) assert.equal(isSensitiveParam(param), false, param);
  });
});
