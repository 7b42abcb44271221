import { searchFields, substringLengthMin, type FieldKind, type SearchResource } from './fields.ts';
import { queryError, type Clause, type Query, type Value } from './query-parser.ts';

/**
 * Checks a parsed query against a resource's fields and turns each clause into a typed test: the field exists,
 * takes the operator, and the value has the field's type. What comes out can be compiled to SQL without further
 * checks (repository.ts); what cannot becomes a 400 naming the clause.
 */

export type Comparison = '=' | '>' | '<' | '>=' | '<=';

export type Test =
  | { type: 'null'; field: string }
  | { type: 'compare'; field: string; operator: Comparison; value: number }
  | { type: 'equals'; field: string; value: string; ignoreCase: boolean }
  | { type: 'contains'; field: string; value: string }
  | { type: 'boolean'; field: string; value: boolean }
  | { type: 'metadata'; key: string; value: string | null };

export interface Condition {
  negated: boolean;
  test: Test;
}

export interface SearchPlan {
  resource: SearchResource;
  combinator: 'and' | 'or';
  conditions: Condition[];
}

const resourceNames: Record<SearchResource, string> = { customer: 'customers', payment_intent: 'PaymentIntents', charge: 'charges', product: 'products', price: 'prices' };

function fieldsOfKind(resource: SearchResource, kinds: FieldKind[]): string {
  const fields: Record<string, FieldKind> = searchFields[resource];
  const names = Object.keys(fields).filter((name) => kinds.includes(fields[name]));
  return names.length === 0 ? `no field of ${resourceNames[resource]}` : names.join(', ');
}

function valueText(value: Value): string | undefined {
  if (value.kind === 'string' || value.kind === 'number') return value.text;
  return undefined;
}

function numericValue(clause: Clause): number {
  const text = valueText(clause.value);
  if (text === undefined || !/^-?[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(Number(text))) {
    throw queryError(`${clause.field} takes a whole number, not ${describeValue(clause.value)}`, clause.position);
  }
  return Number(text);
}

function describeValue(value: Value): string {
  switch (value.kind) {
    case 'string': return JSON.stringify(value.text.length > 40 ? `${value.text.slice(0, 40)}...` : value.text);
    case 'number': return value.text;
    case 'boolean': return String(value.value);
    case 'null': return 'null';
  }
}

function resolveMetadata(clause: Clause): Test {
  if (clause.key === undefined) throw queryError('metadata needs a key, as in metadata["order_id"]:"6735"', clause.position);
  if (clause.operator !== ':') throw queryError(`metadata values match exactly with ":", not "${clause.operator}"`, clause.position);
  if (clause.value.kind === 'null') return { type: 'metadata', key: clause.key, value: null };
  const text = valueText(clause.value);
  if (text === undefined) throw queryError(`metadata values are strings: write "${describeValue(clause.value)}" in quotes`, clause.position);
  return { type: 'metadata', key: clause.key, value: text };
}

function resolveField(resource: SearchResource, kind: FieldKind, clause: Clause): Test {
  const { field, operator, value } = clause;
  if (value.kind === 'null') {
    if (operator !== ':') throw queryError(`null is matched with ":", as in ${field}:null`, clause.position);
    return { type: 'null', field };
  }
  if (operator === '~') {
    if (kind !== 'string') throw queryError(`the substring operator "~" applies only to ${fieldsOfKind(resource, ['string'])}; ${field} matches exactly with ":"`, clause.position);
    const text = valueText(value);
    if (text === undefined) throw queryError(`${field}~ takes a quoted string`, clause.position);
    if ([...text].length < substringLengthMin) throw queryError(`a substring search needs at least ${substringLengthMin} characters`, clause.position);
    return { type: 'contains', field, value: text };
  }
  if (operator !== ':' && kind !== 'numeric') {
    throw queryError(`the operator "${operator}" applies only to numeric fields (${fieldsOfKind(resource, ['numeric'])}); ${field} matches with ":"`, clause.position);
  }
  switch (kind) {
    case 'numeric':
      return { type: 'compare', field, operator: operator === ':' ? '=' : operator, value: numericValue(clause) };
    case 'boolean': {
      const text = value.kind === 'boolean' ? String(value.value) : valueText(value);
      if (text !== 'true' && text !== 'false') throw queryError(`${field} is true or false, not ${describeValue(value)}`, clause.position);
      return { type: 'boolean', field, value: text === 'true' };
    }
    case 'string':
    case 'token': {
      const text = valueText(value);
      if (text === undefined) throw queryError(`${field} takes a quoted string, not ${describeValue(value)}`, clause.position);
      return { type: 'equals', field, value: text, ignoreCase: kind === 'string' };
    }
  }
}

function resolveClause(resource: SearchResource, written: Clause): Condition {
  // "=" is taken as ":" on every field (integrations write email="..." as well as amount=1000).
  const clause: Clause = written.operator === '=' ? { ...written, operator: ':' } : written;
  if (clause.field === 'metadata') return { negated: clause.negated, test: resolveMetadata(clause) };
  const fields: Record<string, FieldKind> = searchFields[resource];
  const kind = Object.hasOwn(fields, clause.field) ? fields[clause.field] : undefined;
  if (kind === undefined) {
    throw queryError(`${resourceNames[resource]} cannot be searched by "${clause.field}"; the fields are ${[...Object.keys(fields), 'metadata'].sort().join(', ')}`, clause.position);
  }
  if (clause.key !== undefined) throw queryError(`only metadata takes a key in brackets, not ${clause.field}`, clause.position);
  return { negated: clause.negated, test: resolveField(resource, kind, clause) };
}

/** The typed plan of a parsed query for one resource; throws a 400 on `query` for a clause the resource cannot run. */
export function resolveQuery(resource: SearchResource, query: Query): SearchPlan {
  return { resource, combinator: query.combinator, conditions: query.clauses.map((clause) => resolveClause(resource, clause)) };
}
