import { createPerson, deletePersonOf, listPersonPage, retrievePerson, updatePerson, type PersonView } from '../../connect/persons.ts';
import type { PersonInput } from '../../connect/person-types.ts';
import { defineRoute, presentList, presentObject, type RouteDefinition } from '../route.ts';
import { boolean, email, emptyable, integer, metadata, object, string, type ObjectOf } from '../schema.ts';
import { listParameters, noParameters } from './common.ts';

// Stripe's Persons API of a connected account, for its platform: /v1/accounts/:account/persons and Stripe's alias
// /v1/accounts/:account/people (the same routes under both paths, as the spec lists them).

const address = object({
  line1: string({ maxLength: 200 }),
  line2: string({ maxLength: 200 }),
  city: string({ maxLength: 100 }),
  state: string({ maxLength: 100 }),
  postal_code: string({ maxLength: 20 }),
  country: string({ minLength: 2, maxLength: 2, pattern: /^[A-Za-z]{2}$/, patternMessage: 'Invalid country: must be an ISO 3166-1 alpha-2 code' }),
});

const personFields = {
  first_name: string({ maxLength: 100 }),
  last_name: string({ maxLength: 100 }),
  email: email(),
  phone: string({ maxLength: 40 }),
  dob: object({
    day: integer({ minimum: 1, maximum: 31 }),
    month: integer({ minimum: 1, maximum: 12 }),
    year: integer({ minimum: 1900, maximum: 2100 }),
  }, { required: ['day', 'month', 'year'] }),
  address,
  id_number: string({ maxLength: 40, pattern: /^[0-9A-Za-z-]+$/, patternMessage: 'Invalid value: digits and letters only', description: "The person's government id number: stored encrypted, shown only as id_number_provided." }),
  ssn_last_4: string({ minLength: 4, maxLength: 4, pattern: /^\d{4}$/, patternMessage: 'Invalid ssn_last_4: four digits' }),
  relationship: object({
    representative: boolean(),
    owner: boolean(),
    director: boolean(),
    executive: boolean(),
    title: emptyable(string({ maxLength: 200 })),
    percent_ownership: emptyable(integer({ minimum: 0, maximum: 100 })),
  }),
  metadata: metadata(),
};

const personParameters = object(personFields);

function toPersonInput(params: ObjectOf<typeof personFields>): PersonInput {
  const dob = params.dob?.day !== undefined && params.dob.month !== undefined && params.dob.year !== undefined ? { day: params.dob.day, month: params.dob.month, year: params.dob.year } : undefined;
  return {
    first_name: params.first_name, last_name: params.last_name, email: params.email, phone: params.phone, dob, address: params.address,
    id_number: params.id_number, ssn_last_4: params.ssn_last_4, relationship: params.relationship, metadata: params.metadata,
  };
}

const relationshipFilter = object({ representative: boolean(), owner: boolean(), director: boolean(), executive: boolean() }, { description: 'Only the persons with these relationships.' });

const present = (result: PersonView) => presentObject(result.rendered);

function personRoutes(collection: 'persons' | 'people', operationWord: 'Persons' | 'People'): RouteDefinition[] {
  const base = `/v1/accounts/:account/${collection}`;
  return [
    defineRoute({
      method: 'POST', path: base, operationId: `PostAccountsAccount${operationWord}`, summary: 'Create a person of a connected account',
      parameters: personParameters,
      response: { kind: 'object', type: 'person' },
      handle: (context, params) => createPerson(context.work, context.deps, context.scope, context.pathParams.account, toPersonInput(params)),
      present,
    }),
    defineRoute({
      method: 'GET', path: `${base}/:person`, operationId: `GetAccountsAccount${operationWord}Person`, summary: 'Retrieve a person',
      parameters: noParameters,
      response: { kind: 'object', type: 'person' },
      handle: (context) => retrievePerson(context.deps, context.scope, context.pathParams.account, context.pathParams.person),
      present,
    }),
    defineRoute({
      method: 'POST', path: `${base}/:person`, operationId: `PostAccountsAccount${operationWord}Person`, summary: 'Update a person',
      parameters: personParameters,
      response: { kind: 'object', type: 'person' },
      handle: (context, params) => updatePerson(context.work, context.deps, context.scope, context.pathParams.account, context.pathParams.person, toPersonInput(params)),
      present,
    }),
    defineRoute({
      method: 'DELETE', path: `${base}/:person`, operationId: `DeleteAccountsAccount${operationWord}Person`, summary: 'Delete a person',
      parameters: noParameters,
      response: { kind: 'object', type: 'person' },
      handle: (context) => deletePersonOf(context.work, context.deps, context.scope, context.pathParams.account, context.pathParams.person),
      present,
    }),
    defineRoute({
      method: 'GET', path: base, operationId: `GetAccountsAccount${operationWord}`, summary: "List a connected account's persons",
      parameters: object({ ...listParameters, relationship: relationshipFilter }),
      response: { kind: 'list', type: 'person' },
      handle: (context, params) => listPersonPage(context.deps, context.scope, context.pathParams.account, params, params.relationship ?? {}),
      present: (page, context) => presentList(page, context.path, (row: Record<string, unknown>) => row),
    }),
  ] as RouteDefinition[];
}

export const personRoutesAll = [...personRoutes('persons', 'Persons'), ...personRoutes('people', 'People')];
