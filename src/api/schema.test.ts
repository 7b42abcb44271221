import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ApiError } from '../platform/errors.ts';
import { mergeMetadata } from '../platform/metadata.ts';
import { array, boolean, emptyable, enumeration, integer, metadata, object, rangeFilter, required, string } from './schema.ts';

function errorOf(run: () => unknown): { code: string; param: string | undefined } {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return { code: error.code, param: error.param };
  }
  assert.fail('expected an ApiError');
}

describe('parameter schemas', () => {
  const schema = object({
    amount: required(integer({ minimum: 1 })),
    confirm: boolean(),
    kind: enumeration(['a', 'b']),
    note: emptyable(string({ maxLength: 5 })),
    card: object({ number: string(), exp_month: integer() }),
    types: array(string()),
    metadata: metadata(),
    created: rangeFilter(),
  });

  it('coerces form strings and accepts JSON types', () => {
    assert.deepEqual(schema.parse({ amount: '100', confirm: 'true', types: { 0: 'card', 1: 'x' } }, '')?.types, ['card', 'x']);
    assert.equal(schema.parse({ amount: 100, confirm: false }, '')?.confirm, false);
    assert.equal(schema.parse({ amount: '5', note: '' }, '')?.note, null);
    assert.deepEqual(schema.parse({ amount: '5', created: '10' }, '')?.created, { gte: 10, lte: 10 });
    assert.deepEqual(schema.parse({ amount: '5', created: { gt: '3' } }, '')?.created, { gt: 3 });
  });

  it("takes booleans in any case, as Stripe's v1 API does (Python's str(True) is \"True\")", () => {
    for (const word of ['True', 'TRUE', 'tRuE']) assert.equal(schema.parse({ amount: 1, confirm: word }, '')?.confirm, true, word);
    for (const word of ['False', 'FALSE', 'fAlSe']) assert.equal(schema.parse({ amount: 1, confirm: word }, '')?.confirm, false, word);
    assert.deepEqual(errorOf(() => schema.parse({ amount: 1, confirm: 'Truthy' }, '')), { code: 'invalid_value', param: 'confirm' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: 1, confirm: '1' }, '')), { code: 'invalid_value', param: 'confirm' });
  });

  it('names the offending parameter in bracket notation', () => {
    assert.deepEqual(errorOf(() => schema.parse({}, '')), { code: 'parameter_missing', param: 'amount' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: 'x' }, '')), { code: 'parameter_invalid_integer', param: 'amount' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: '1.5' }, '')), { code: 'parameter_invalid_integer', param: 'amount' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: '0' }, '')), { code: 'invalid_value', param: 'amount' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: 1, bogus: 1 }, '')), { code: 'parameter_unknown', param: 'bogus' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: 1, card: { cvc: '1' } }, '')), { code: 'parameter_unknown', param: 'card[cvc]' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: 1, card: { exp_month: 'x' } }, '')), { code: 'parameter_invalid_integer', param: 'card[exp_month]' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: 1, types: ['a', { x: 1 }] }, '')), { code: 'invalid_value', param: 'types[1]' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: 1, kind: 'c' }, '')), { code: 'invalid_value', param: 'kind' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: 1, note: 'toolong' }, '')), { code: 'invalid_string_length', param: 'note' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: 1, confirm: 'yes' }, '')), { code: 'invalid_value', param: 'confirm' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: 1, created: { gt: 'x' } }, '')), { code: 'parameter_invalid_integer', param: 'created[gt]' });
  });

  it('enforces Stripe metadata limits', () => {
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, 'v']));
    assert.equal(errorOf(() => schema.parse({ amount: 1, metadata: tooMany }, '')).code, 'invalid_metadata');
    assert.deepEqual(errorOf(() => schema.parse({ amount: 1, metadata: { ['k'.repeat(41)]: 'v' } }, '')), { code: 'invalid_metadata', param: `metadata[${'k'.repeat(41)}]` });
    assert.deepEqual(errorOf(() => schema.parse({ amount: 1, metadata: { k: 'v'.repeat(501) } }, '')), { code: 'invalid_metadata', param: 'metadata[k]' });
    assert.equal(schema.parse({ amount: 1, metadata: '' }, '')?.metadata, null);
  });

  it('merges metadata: empty values unset keys, null clears all, limits hold on the result (property)', () => {
    const key = fc.string({ minLength: 1, maxLength: 40 }).filter((text) => !/[[\]]/.test(text));
    const map = fc.dictionary(key, fc.string({ maxLength: 20 }), { maxKeys: 30 });
    fc.assert(
      fc.property(map, map, (current, update) => {
        const base = Object.fromEntries(Object.entries(current).filter(([, value]) => value !== ''));
        let merged: Record<string, string>;
        try {
          merged = mergeMetadata(base, update);
        } catch (error) {
          assert.ok(error instanceof ApiError && error.code === 'invalid_metadata');
          return;
        }
        assert.ok(Object.keys(merged).length <= 50);
        for (const [name, value] of Object.entries(update)) {
          if (value === '') assert.equal(Object.hasOwn(merged, name), false);
          else assert.equal(merged[name], value);
        }
        for (const [name, value] of Object.entries(base)) if (!Object.hasOwn(update, name)) assert.equal(merged[name], value);
      }),
    );
    assert.deepEqual(mergeMetadata({ a: '1' }, null), {});
  });

  it('renders JSON Schema with required fields and no extra properties', () => {
    const json = schema.toJsonSchema() as { required: string[]; additionalProperties: boolean; properties: Record<string, { type?: string }> };
    assert.deepEqual(json.required, undefined);
    assert.equal(json.additionalProperties, false);
    assert.equal(json.properties.amount.type, 'integer');
    const withRequired = object({ a: string() }, { required: ['a'] }).toJsonSchema() as { required: string[] };
    assert.deepEqual(withRequired.required, ['a']);
  });

  it('never echoes the value of a sensitive parameter, and masks card-number-like runs elsewhere', () => {
    const card = object({ card: object({ number: string({ maxLength: 19 }), cvc: string({ pattern: /^\d{3,4}$/ }) }), description: string({ maxLength: 10 }), amount: integer() });
    const messageOf = (value: Record<string, unknown>) => {
      try {
        card.parse(value, '');
      } catch (error) {
        assert.ok(error instanceof ApiError);
        return error.message;
      }
      assert.fail('expected an error');
    };
    assert.doesNotMatch(messageOf({ card: { number: `4242424242424242${' '.repeat(30)}` } }), /4242/);
    assert.doesNotMatch(messageOf({ card: { number: ['4242424242424242'] } }), /4242/);
    assert.doesNotMatch(messageOf({ card: { cvc: '12a4' } }), /12a4/);
    assert.doesNotMatch(messageOf({ description: '4242 4242 4242 4242 and more' }), /\d{4} \d{4} \d{4}/);
    assert.doesNotMatch(messageOf({ amount: '42424242424242424242' }), /\d{12}/);
    assert.match(messageOf({ description: 'far too long a text' }), /far too long/, 'other values are still shown');
  });

  it('refuses strings the database cannot hold, naming the parameter', () => {
    assert.deepEqual(errorOf(() => schema.parse({ amount: '1', note: 'a\u0000' }, '')), { code: 'invalid_value', param: 'note' });
    assert.deepEqual(errorOf(() => schema.parse({ amount: '1', metadata: { k: '\ud800' } }, '')), { code: 'invalid_metadata', param: 'metadata[k]' });
  });
});

