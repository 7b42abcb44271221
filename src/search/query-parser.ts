import { ApiError } from '../platform/errors.ts';

/**
 * Stripe's Search Query Language, parsed by a tokenizer and a recursive-descent parser into a small syntax tree.
 *
 *   query    := clause (separator clause)*
 *   separator:= whitespace | whitespace ("AND" | "OR") whitespace      (keywords case-insensitive; a space means AND)
 *   clause   := "-"? field whitespace? operator whitespace? value
 *   field    := name ("[" quoted "]")?                               (the key form is for metadata["key"])
 *   operator := ":" | "~" | ">" | "<" | ">=" | "<=" | "="
 *   value    := quoted | "-"? digits ("." digits)? | null | true | false
 *   quoted   := '"' ... '"' | "'" ... "'"                             (a backslash escapes a quote or a backslash)
 *
 * As at Stripe, AND and OR cannot both appear in one query and there are no parentheses. This module knows nothing
 * of fields or SQL: which field takes which operator is checked later (resolve.ts) against a resource's catalogue.
 * Every error is an ApiError on `param: 'query'` that says what is wrong and at which character.
 */

/** Stripe's limits: the `query` parameter's length and the number of clauses in one query. */
export const searchQueryLengthMax = 5000;
export const searchClausesMax = 10;

export type Operator = ':' | '~' | '>' | '<' | '>=' | '<=' | '=';
export const operators: readonly Operator[] = [':', '~', '>=', '<=', '>', '<', '='];

export type Value =
  | { kind: 'string'; text: string }
  /** The literal text of the number as written (e.g. `-12`, `3.5`), so printing gives it back unchanged. */
  | { kind: 'number'; text: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

export interface Clause {
  negated: boolean;
  /** The field name as written, e.g. `email` or `payment_method_details.card.last4`. */
  field: string;
  /** The key of `metadata["key"]`; undefined when the field has no key. */
  key?: string;
  operator: Operator;
  value: Value;
  /** Offset (0-based) of the clause in the query, for error messages of later checks. */
  position: number;
}

export interface Query {
  /** How the clauses combine; a query of one clause is `and`. */
  combinator: 'and' | 'or';
  clauses: Clause[];
}

/** The 400 every query problem answers; `position` is a 0-based offset, shown 1-based to people. */
export function queryError(message: string, position?: number): ApiError {
  const where = position === undefined ? '' : ` (at character ${position + 1})`;
  return new ApiError('invalid_value', `Invalid search query: ${message}${where}.`, { param: 'query' });
}

type Token =
  | { type: 'space'; position: number }
  | { type: 'word'; text: string; position: number }
  | { type: 'number'; text: string; position: number }
  | { type: 'quoted'; text: string; position: number }
  /** An unquoted value: everything up to the next space (a number, null, true, false, or a mistake to report). */
  | { type: 'bare'; text: string; position: number }
  | { type: 'operator'; text: Operator; position: number }
  | { type: 'minus' | 'open' | 'close'; position: number }
  | { type: 'end'; position: number };

const wordPattern = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*/y;
const numberPattern = /[0-9]+(?:\.[0-9]+)?/y;
const spacePattern = /[ \t\r\n]+/y;
const barePattern = /[^ \t\r\n]+/y;
const numberValuePattern = /^-?[0-9]+(?:\.[0-9]+)?$/;

function show(character: string): string {
  return JSON.stringify(character);
}

function readQuoted(query: string, start: number): { text: string; end: number } {
  const quote = query[start];
  let text = '';
  let index = start + 1;
  while (index < query.length) {
    const character = query[index];
    if (character === quote) return { text, end: index + 1 };
    if (character === '\\') {
      const escaped = query[index + 1];
      if (escaped === undefined) break;
      if (escaped !== '"' && escaped !== "'" && escaped !== '\\') {
        throw queryError(`a backslash may only escape a quote or a backslash, not ${show(escaped)}`, index);
      }
      text += escaped;
      index += 2;
      continue;
    }
    text += character;
    index += 1;
  }
  throw queryError(`the string starting here is missing its closing ${quote}`, start);
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  const match = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = index;
    return pattern.exec(query)?.[0];
  };
  while (index < query.length) {
    const character = query[index];
    const space = match(spacePattern);
    if (space !== undefined) {
      tokens.push({ type: 'space', position: index });
      index += space.length;
      continue;
    }
    if (character === '"' || character === "'") {
      const quoted = readQuoted(query, index);
      tokens.push({ type: 'quoted', text: quoted.text, position: index });
      index = quoted.end;
      continue;
    }
    // After an operator comes a value: read an unquoted one whole, so `email:jenny@example.com` is reported as an
    // unquoted string rather than as a stray "@".
    const previous = tokens.findLast((token) => token.type !== 'space');
    if (previous?.type === 'operator') {
      const bare = match(barePattern)!;
      tokens.push({ type: 'bare', text: bare, position: index });
      index += bare.length;
      continue;
    }
    const operator = operators.find((candidate) => query.startsWith(candidate, index));
    if (operator) {
      tokens.push({ type: 'operator', text: operator, position: index });
      index += operator.length;
      continue;
    }
    if (character === '-' || character === '[' || character === ']') {
      tokens.push({ type: character === '-' ? 'minus' : character === '[' ? 'open' : 'close', position: index });
      index += 1;
      continue;
    }
    const number = match(numberPattern);
    if (number !== undefined) {
      tokens.push({ type: 'number', text: number, position: index });
      index += number.length;
      continue;
    }
    const word = match(wordPattern);
    if (word !== undefined) {
      tokens.push({ type: 'word', text: word, position: index });
      index += word.length;
      continue;
    }
    throw queryError(`unexpected character ${show(character)}`, index);
  }
  tokens.push({ type: 'end', position: query.length });
  return tokens;
}

function describeToken(token: Token): string {
  switch (token.type) {
    case 'space': return 'a space';
    case 'word': return `${show(token.text)}`;
    case 'number': return `the number ${token.text}`;
    case 'quoted': return 'a quoted string';
    case 'bare': return JSON.stringify(token.text);
    case 'operator': return `the operator ${show(token.text)}`;
    case 'minus': return '"-"';
    case 'open': return '"["';
    case 'close': return '"]"';
    case 'end': return 'the end of the query';
  }
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index += 1;
    return token;
  }

  private skipSpace(): boolean {
    if (this.peek().type !== 'space') return false;
    this.next();
    return true;
  }

  parseQuery(): Query {
    this.skipSpace();
    if (this.peek().type === 'end') throw queryError('the query is empty; write at least one clause such as email:"jenny@example.com"');
    const clauses = [this.parseClause()];
    let combinator: 'and' | 'or' | undefined;
    for (;;) {
      const spaced = this.skipSpace();
      const token = this.peek();
      if (token.type === 'end') break;
      if (!spaced) throw queryError(`expected a space, AND or OR after the clause, found ${describeToken(token)}`, token.position);
      let joiner: 'and' | 'or' = 'and';
      const keyword = token.type === 'word' ? token.text.toLowerCase() : undefined;
      const following = this.peek(1).type;
      if ((keyword === 'and' || keyword === 'or') && (following === 'space' || following === 'end')) {
        joiner = keyword;
        this.next();
        this.skipSpace();
        if (this.peek().type === 'end') throw queryError(`expected a clause after ${keyword.toUpperCase()}`, this.peek().position);
      }
      if (combinator !== undefined && combinator !== joiner) {
        throw queryError('AND and OR cannot be combined in one query; clauses separated by a space are combined with AND', token.position);
      }
      combinator = joiner;
      if (clauses.length === searchClausesMax) throw queryError(`a query has at most ${searchClausesMax} clauses`, this.peek().position);
      clauses.push(this.parseClause());
    }
    return { combinator: combinator ?? 'and', clauses };
  }

  private parseClause(): Clause {
    const start = this.peek();
    let negated = false;
    if (start.type === 'minus') {
      this.next();
      negated = true;
      if (this.peek().type !== 'word') throw queryError(`"-" must be followed directly by a field name, found ${describeToken(this.peek())}`, this.peek().position);
    }
    const field = this.next();
    if (field.type !== 'word') throw queryError(`expected a field name, found ${describeToken(field)}`, field.position);
    let key: string | undefined;
    if (this.peek().type === 'open') {
      this.next();
      const keyToken = this.next();
      if (keyToken.type !== 'quoted') throw queryError(`expected a quoted key after ${field.text}[, found ${describeToken(keyToken)}`, keyToken.position);
      const close = this.next();
      if (close.type !== 'close') throw queryError(`expected "]" after the key of ${field.text}, found ${describeToken(close)}`, close.position);
      key = keyToken.text;
    }
    this.skipSpace();
    const operator = this.next();
    if (operator.type !== 'operator') {
      throw queryError(`expected an operator (${operators.join(' ')}) after the field ${field.text}, found ${describeToken(operator)}`, operator.position);
    }
    this.skipSpace();
    const value = this.parseValue();
    return { negated, field: field.text, ...(key === undefined ? {} : { key }), operator: operator.text, value, position: start.position };
  }

  private parseValue(): Value {
    const token = this.next();
    if (token.type === 'quoted') return { kind: 'string', text: token.text };
    if (token.type === 'bare') {
      if (numberValuePattern.test(token.text)) return { kind: 'number', text: token.text };
      const word = token.text.toLowerCase();
      if (word === 'null') return { kind: 'null' };
      if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true' };
      throw queryError(`string values must be quoted: write "${token.text}"`, token.position);
    }
    throw queryError(`expected a value (a quoted string, a number, null, true or false), found ${describeToken(token)}`, token.position);
  }
}

/** Parses a query; throws a 400 (`param: 'query'`) that says what is wrong and where. */
export function parseQuery(query: string): Query {
  if (query.length > searchQueryLengthMax) throw queryError(`the query is ${query.length} characters long; the limit is ${searchQueryLengthMax}`);
  // PostgreSQL text cannot hold NUL or unpaired surrogates: such a value could never match, so it is refused here.
  const nul = query.indexOf('\u0000');
  if (nul >= 0) throw queryError('the query contains a NUL character', nul);
  if (!query.isWellFormed()) throw queryError('the query is not valid Unicode text');
  return new Parser(tokenize(query)).parseQuery();
}

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}

function printValue(value: Value): string {
  switch (value.kind) {
    case 'string': return quote(value.text);
    case 'number': return value.text;
    case 'boolean': return String(value.value);
    case 'null': return 'null';
  }
}

/** The canonical text of a query: parsing it gives the same tree back (used by tests and in page tokens). */
export function printQuery(query: Query): string {
  const clauses = query.clauses.map((clause) =>
    `${clause.negated ? '-' : ''}${clause.field}${clause.key === undefined ? '' : `[${quote(clause.key)}]`}${clause.operator}${printValue(clause.value)}`);
  return clauses.join(query.combinator === 'or' ? ' OR ' : ' AND ');
}
