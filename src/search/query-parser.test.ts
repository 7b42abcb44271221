import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ApiError } from '../platform/errors.ts';
import { searchFields, searchResources } from './fields.ts';
import { operators, parseQuery, printQuery, searchClausesMax, searchQueryLengthMax, type Clause, type Query, type Value } from './query-parser.ts';
import { resolveQuery } from './resolve.ts';

/** The parsed tree without source positions, for comparing two parses. */
function shape(query: Query): { combinator: string; clauses: unknown[] } {
  return { combinator: query.combinator, clauses: query.clauses.map(({ position: _position, ...clause }) => clause) };
}

function queryErrorOf(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    assert.equal(error.code, 'invalid_value');
    assert.equal(error.param, 'query');
    assert.equal(error.status, 400);
    return error;
  }
  assert.fail('expected the query to be refused');
}

describe('search query parser', () => {
  it('parses a clause into field, operator and value', () => {
    assert.deepEqual(shape(parseQuery('email:"jenny@example.com"')), {
      combinator: 'and',
      clauses: [{ negated: false, field: 'email', operator: ':', value: { kind: 'string', text: 'jenny@example.com' } }],
    });
  });

  it('reads metadata keys, negation, comparisons, null, booleans and dotted fields', () => {
    const query = parseQuery(`metadata['order id']:'6735' -currency:"usd" amount>=1000 created<-5 customer:null refunded:true payment_method_details.card.last4:4242`);
    assert.deepEqual(shape(query).clauses, [
      { negated: false, field: 'metadata', key: 'order id', operator: ':', value: { kind: 'string', text: '6735' } },
      { negated: true, field: 'currency', operator: ':', value: { kind: 'string', text: 'usd' } },
      { negated: false, field: 'amount', operator: '>=', value: { kind: 'number', text: '1000' } },
      { negated: false, field: 'created', operator: '<', value: { kind: 'number', text: '-5' } },
      { negated: false, field: 'customer', operator: ':', value: { kind: 'null' } },
      { negated: false, field: 'refunded', operator: ':', value: { kind: 'boolean', value: true } },
      { negated: false, field: 'payment_method_details.card.last4', operator: ':', value: { kind: 'number', text: '4242' } },
    ]);
  });

  it('unescapes quotes and backslashes inside quoted strings', () => {
    const [clause] = parseQuery(String.raw`name:"Jenny \"JR\" O'Rosen \\ co"`).clauses;
    assert.deepEqual(clause.value, { kind: 'string', text: String.raw`Jenny "JR" O'Rosen \ co` });
    const [single] = parseQuery(String.raw`name:'it\'s'`).clauses;
    assert.deepEqual(single.value, { kind: 'string', text: "it's" });
  });

  it('combines with AND, OR (any case) or a space, which means AND', () => {
    assert.equal(parseQuery('a:"1" b:"2"').combinator, 'and');
    assert.equal(parseQuery('a:"1" and b:"2" AND c:"3"').combinator, 'and');
    assert.equal(parseQuery('a:"1" or b:"2" Or c:"3"').clauses.length, 3);
    assert.equal(parseQuery('a:"1" OR b:"2"').combinator, 'or');
    // A field may be called "and": it is a keyword only between clauses, followed by a space.
    assert.equal(parseQuery('a:"1" and:"2"').clauses[1].field, 'and');
  });

  it('allows spaces around the operator and at both ends', () => {
    assert.deepEqual(shape(parseQuery('  status : "succeeded"  ')), shape(parseQuery('status:"succeeded"')));
  });

  it('refuses mixing AND and OR, pointing at the conflicting connector', () => {
    const error = queryErrorOf(() => parseQuery('a:"1" AND b:"2" OR c:"3"'));
    assert.match(error.message, /AND and OR cannot be combined/);
    assert.match(error.message, /character 17/);
    queryErrorOf(() => parseQuery('a:"1" b:"2" OR c:"3"'));
  });

  it('says what is wrong and where', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['   ', /empty/],
      ['email:jenny', /string values must be quoted.*character 7/],
      ['email:"jenny', /missing its closing ".*character 7/],
      ['email"x"', /expected an operator.*character 6/],
      ['email:', /expected a value.*end of the query/],
      ['- email:"x"', /"-" must be followed directly by a field name/],
      ['email:"x"name:"y"', /expected a space, AND or OR.*character 10/],
      ['email:"x" AND', /expected a clause after AND/],
      ['email:"x" OR ', /expected a clause after OR/],
      ['metadata[key]:"x"', /expected a quoted key/],
      ['metadata["key":"x"', /expected "\]"/],
      ['email:"a\\nb"', /a backslash may only escape/],
      ['email:"x" & name:"y"', /unexpected character "&".*character 11/],
      [':"x"', /expected a field name/],
      ['email:"x\u0000"', /NUL/],
    ];
    for (const [query, pattern] of cases) assert.match(queryErrorOf(() => parseQuery(query)).message, pattern, query);
  });

  it(`refuses more than ${searchClausesMax} clauses and queries over ${searchQueryLengthMax} characters`, () => {
    const clauses = Array.from({ length: searchClausesMax }, (_, index) => `amount:${index}`);
    assert.equal(parseQuery(clauses.join(' ')).clauses.length, searchClausesMax);
    assert.match(queryErrorOf(() => parseQuery([...clauses, 'amount:99'].join(' '))).message, /at most 10 clauses/);
    assert.match(queryErrorOf(() => parseQuery(`name:"${'x'.repeat(searchQueryLengthMax)}"`)).message, /limit is 5000/);
  });
});

describe('search query resolution against the fields of a resource', () => {
  const refused = (resource: (typeof searchResources)[number], query: string) => queryErrorOf(() => resolveQuery(resource, parseQuery(query))).message;

  it('types each clause by its field', () => {
    const plan = resolveQuery('charge', parseQuery('amount>"1000" refunded:"false" metadata["k"]:null -status:"failed"'));
    assert.deepEqual(plan.conditions, [
      { negated: false, test: { type: 'compare', field: 'amount', operator: '>', value: 1000 } },
      { negated: false, test: { type: 'boolean', field: 'refunded', value: false } },
      { negated: false, test: { type: 'metadata', key: 'k', value: null } },
      { negated: true, test: { type: 'equals', field: 'status', value: 'failed', ignoreCase: false } },
    ]);
    assert.deepEqual(resolveQuery('customer', parseQuery('email~"jen"')).conditions[0].test, { type: 'contains', field: 'email', value: 'jen' });
    assert.deepEqual(resolveQuery('customer', parseQuery('name:"Jenny"')).conditions[0].test, { type: 'equals', field: 'name', value: 'Jenny', ignoreCase: true });
    assert.deepEqual(resolveQuery('customer', parseQuery('email="a@b.c"')).conditions, resolveQuery('customer', parseQuery('email:"a@b.c"')).conditions, '= is :');
    assert.deepEqual(resolveQuery('charge', parseQuery('amount=5')).conditions[0].test, { type: 'compare', field: 'amount', operator: '=', value: 5 });
  });

  it('answers a clear 400 for what a resource cannot search', () => {
    assert.match(refused('customer', 'description:"x"'), /customers cannot be searched by "description"; the fields are created, email, metadata, name, phone/);
    assert.match(refused('payment_intent', 'email:"x"'), /PaymentIntents cannot be searched by "email"/);
    assert.match(refused('payment_intent', 'status~"succ"'), /"~" applies only to no field of PaymentIntents/);
    assert.match(refused('customer', 'email~"ab"'), /at least 3 characters/);
    assert.match(refused('customer', 'created~"123"'), /"~" applies only to email, name, phone/);
    assert.match(refused('charge', 'status>"a"'), /"\>" applies only to numeric fields \(amount, created, payment_method_details.card.exp_month, payment_method_details.card.exp_year\)/);
    assert.match(refused('charge', 'amount:"ten"'), /amount takes a whole number/);
    assert.match(refused('charge', 'amount:1.5'), /amount takes a whole number/);
    assert.match(refused('charge', 'amount>99999999999999999999'), /amount takes a whole number/);
    assert.match(refused('charge', 'refunded:"yes"'), /refunded is true or false/);
    assert.match(refused('charge', 'metadata:"x"'), /metadata needs a key/);
    assert.match(refused('charge', 'metadata["k"]~"abc"'), /metadata values match exactly/);
    assert.match(refused('charge', 'status["k"]:"x"'), /only metadata takes a key/);
    assert.match(refused('charge', 'customer>null'), /null is matched with ":"/);
    assert.match(refused('charge', 'status:true'), /status takes a quoted string/);
    assert.match(refused('charge', 'constructor:"x"'), /cannot be searched by "constructor"/);
  });
});

const fieldName = fc.constantFrom('email', 'name', 'amount', 'created', 'status', 'AND', 'or', 'null', 'payment_method_details.card.last4', 'a_1.b2');
const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '"', "'", '\\', ':', '~', '[', ']', '-', 'é', '😀', '\t'), maxLength: 12 });
const value: fc.Arbitrary<Value> = fc.oneof(
  text.map((text) => ({ kind: 'string' as const, text })),
  fc.tuple(fc.boolean(), fc.nat(), fc.option(fc.nat(), { nil: undefined })).map(([negative, whole, fraction]) => ({
    kind: 'number' as const, text: `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`,
  })),
  fc.boolean().map((value) => ({ kind: 'boolean' as const, value })),
  fc.constant({ kind: 'null' as const }),
);
const clause: fc.Arbitrary<Omit<Clause, 'position'>> = fc.record({
  negated: fc.boolean(),
  field: fieldName,
  key: fc.option(text, { nil: undefined }),
  operator: fc.constantFrom(...operators),
  value,
}).map(({ key, ...rest }) => (key === undefined ? rest : { ...rest, key }));
const query = fc.record({ combinator: fc.constantFrom('and' as const, 'or' as const), clauses: fc.array(clause, { minLength: 1, maxLength: searchClausesMax }) })
  // One clause has no combinator to print: it always parses as `and`.
  .map((generated) => (generated.clauses.length === 1 ? { ...generated, combinator: 'and' as const } : generated));

describe('search query parser properties', () => {
  it('parses the printed form of any query back to the same query', () => {
    fc.assert(fc.property(query, (generated) => {
      const printed = printQuery({ ...generated, clauses: generated.clauses.map((entry) => ({ ...entry, position: 0 })) });
      // fast-check builds null-prototype records; a JSON copy makes them plain objects like the parser's.
      assert.deepEqual(shape(parseQuery(printed)), JSON.parse(JSON.stringify(generated)));
    }), { numRuns: 500 });
  });

  it('either parses and resolves any input or refuses it with a 400 on query, never another error', () => {
    const grammarish = fc.string({ unit: fc.constantFrom('a', 'm', 'e', 'l', '.', '_', '1', '0', ' ', '"', "'", '\\', ':', '~', '>', '<', '=', '-', '[', ']', 'AND', 'OR', 'null', 'true', 'metadata', 'email', 'amount', '\u0000', '\ud800'), maxLength: 40 });
    fc.assert(fc.property(fc.oneof(grammarish, fc.string({ maxLength: 40 })), fc.constantFrom(...searchResources), (input, resource) => {
      try {
        resolveQuery(resource, parseQuery(input));
      } catch (error) {
        assert.ok(error instanceof ApiError, `${JSON.stringify(input)} threw ${String(error)}`);
        assert.equal(error.param, 'query');
        assert.equal(error.status, 400);
      }
    }), { numRuns: 2000 });
  });

  it('resolves every clause a resource documents with its canonical operator', () => {
    for (const resource of searchResources) {
      for (const [field, kind] of Object.entries(searchFields[resource])) {
        const written = kind === 'numeric' ? `${field}:10` : kind === 'boolean' ? `${field}:true` : `${field}:"abc"`;
        assert.equal(resolveQuery(resource, parseQuery(written)).conditions.length, 1, written);
      }
    }
  });
});
