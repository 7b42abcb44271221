import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../platform/errors.ts';
import { decodeUtf8, parseForm, parseJson, parseQueryString } from './request-parsing.ts';

function refusal(run: () => unknown): { code: string; param: string | undefined } {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return { code: error.code, param: error.param };
  }
  assert.fail('expected the input to be refused');
}

describe('request parsing', () => {
  it('names the parameter holding NUL, a lone surrogate or bad percent-encoding', () => {
    assert.deepEqual(refusal(() => parseForm('a=1&name=x%00')), { code: 'invalid_request_body', param: 'name' });
    assert.deepEqual(refusal(() => parseForm('card[number]=%ED%A0%80')), { code: 'invalid_request_body', param: 'card[number]' });
    assert.deepEqual(refusal(() => parseForm('items[0][price]=%E0%A4')), { code: 'invalid_request_body', param: 'items[0][price]' });
    assert.deepEqual(refusal(() => parseForm('expand[]=%')), { code: 'invalid_request_body', param: 'expand[0]' });
    assert.deepEqual(refusal(() => parseJson('{"address":{"line1":"\\u0000"}}')), { code: 'invalid_request_body', param: 'address[line1]' });
    assert.deepEqual(refusal(() => parseJson('{"tags":["ok","\\udc00"]}')), { code: 'invalid_request_body', param: 'tags[1]' });
    assert.deepEqual(refusal(() => parseQueryString('/v1/customers?email=a%00')), { code: 'invalid_request_body', param: 'email' });
    assert.match(refusal(() => parseForm('metadata[a%00]=b')).param ?? '', /^metadata\[a/);
  });

  it('marks bytes that are not UTF-8 so that the parameter holding them is named', () => {
    const form = Buffer.concat([Buffer.from('email=a@b.co&name=x'), Buffer.from([0xff]), Buffer.from('&description=y')]);
    assert.deepEqual(refusal(() => parseForm(decodeUtf8(form))), { code: 'invalid_request_body', param: 'name' });
    const json = Buffer.concat([Buffer.from('{"name":"ok","description":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    assert.deepEqual(refusal(() => parseJson(decodeUtf8(json, '\\u0000'))), { code: 'invalid_request_body', param: 'description' });
    // Outside a string, a marked byte is a syntax error: still a 400, without a param.
    assert.deepEqual(refusal(() => parseJson(decodeUtf8(Buffer.from([0x7b, 0xff, 0x7d]), '\\u0000'))), { code: 'invalid_request_body', param: undefined });
  });

  it('decodes valid UTF-8 unchanged, whatever the length of its sequences', () => {
    const text = 'a é € 😀 \uffff';
    assert.equal(decodeUtf8(Buffer.from(text)), text);
    // Overlong forms, surrogates, code points past U+10FFFF and truncated sequences are each one invalid byte or more.
    for (const bytes of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
      assert.ok(decodeUtf8(Buffer.from(bytes)).includes('%00'), bytes.join(','));
    }
    assert.equal(parseForm(decodeUtf8(Buffer.from('name=%C3%A9t%C3%A9'))).name, 'été');
  });
});
