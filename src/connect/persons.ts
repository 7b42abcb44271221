import type { Dependencies } from '../dependencies.ts';
import { findAccountSettings } from '../accounts/settings-repository.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { mergeMetadata } from '../platform/metadata.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { accountInvalid, accountTarget } from './access.ts';
import { reviewAccount, type ReviewDependencies } from './review.ts';
import { personDue } from './person-requirements.ts';
import { renderDeletedPerson, renderPerson } from './person-render.ts';
import { deletePerson, findPerson, findPersonSecrets, insertPerson, listPersons, savePerson } from './person-repository.ts';
import type { PersonInput, PersonRelationship, PersonRow, RelationshipFilter } from './person-types.ts';
import type { IndividualData } from './types.ts';
import { individualReadyForVerification, verifyIndividual } from './verification.ts';

// The persons of a connected account (Stripe's /v1/accounts/:account/persons): create, retrieve, update, delete, list.
// Only the account's platform reaches them, in the account's mode; another platform's account, the caller's own and an
// unknown id all answer 403 `account_invalid` (access.ts), and a person id of another account is `resource_missing`
// like an unknown one. The id number and the SSN's last four are encrypted with the account and person ids as
// associated data, and never rendered, logged or put in an event. Changes record `person.created|updated|deleted` as
// events of the connected account, in the same transaction.

export type PersonDependencies = Pick<Dependencies, 'db' | 'secretBox' | 'clock'> & ReviewDependencies;

interface PersonSecrets {
  id_number?: string;
  ssn_last_4?: string;
}

/** The connected account of the path, as its platform sees it: its scope and country. */
async function personAccount(db: Queryable, scope: Scope, accountId: string, options: { forUpdate?: boolean } = {}): Promise<{ scope: Scope; country: string }> {
  const target = await accountTarget(db, scope, accountId, options);
  if (target.kind !== 'connected') throw accountInvalid(accountId, 'account');
  const settings = await findAccountSettings(db, target.connected.id);
  return { scope: target.scope, country: settings.country };
}

function associatedData(accountId: string, personId: string): string {
  return `${accountId}:${personId}`;
}

function checkInput(input: PersonInput): void {
  const percent = input.relationship?.percent_ownership;
  if (percent !== undefined && percent !== null && (percent < 0 || percent > 100)) {
    throw new ApiError('invalid_value', 'Invalid relationship[percent_ownership]: must be between 0 and 100.', { param: 'relationship[percent_ownership]' });
  }
}

const unverified = { status: 'unverified' as const, details: null, details_code: null };

function applyDetails(current: IndividualData, input: PersonInput): IndividualData {
  const address = input.address === undefined ? current.address : {
    line1: input.address.line1 ?? current.address?.line1 ?? null,
    line2: input.address.line2 ?? current.address?.line2 ?? null,
    city: input.address.city ?? current.address?.city ?? null,
    state: input.address.state ?? current.address?.state ?? null,
    postal_code: input.address.postal_code ?? current.address?.postal_code ?? null,
    country: input.address.country !== undefined && input.address.country !== null ? input.address.country.toUpperCase() : current.address?.country ?? null,
  };
  return {
    first_name: input.first_name ?? current.first_name,
    last_name: input.last_name ?? current.last_name,
    email: input.email ?? current.email,
    phone: input.phone ?? current.phone,
    dob: input.dob ?? current.dob,
    address,
    id_number_provided: current.id_number_provided || input.id_number !== undefined,
    ssn_last_4_provided: current.ssn_last_4_provided || input.ssn_last_4 !== undefined || (input.id_number !== undefined && input.id_number.length >= 4),
    verification: current.verification,
  };
}

function applyRelationship(current: PersonRelationship, input: Partial<PersonRelationship> | undefined): PersonRelationship {
  if (input === undefined) return current;
  return {
    representative: input.representative ?? current.representative,
    owner: input.owner ?? current.owner,
    director: input.director ?? current.director,
    executive: input.executive ?? current.executive,
    title: input.title !== undefined ? input.title : current.title,
    percent_ownership: input.percent_ownership !== undefined ? input.percent_ownership : current.percent_ownership,
  };
}

/**
 * The person's verification after a change of what it checks: in test mode, Stripe's test values decide at once
 * (verification.ts: 1901-01-01 or 1902-01-01 and 000000000 or 222222222 verify, other values fail); in live mode
 * Payrail has no identity provider, so it stays `pending`. Unchanged data keeps its outcome.
 */
function verificationOf(details: IndividualData, changed: boolean, secrets: PersonSecrets, livemode: boolean, now: number): IndividualData['verification'] {
  if (!changed) return details.verification;
  if (!individualReadyForVerification(details)) return unverified;
  if (livemode) return { status: 'pending', details: null, details_code: null };
  return verifyIndividual(details, secrets.id_number ?? secrets.ssn_last_4 ?? null, now);
}

function identityOf(details: IndividualData): string {
  const { verification: _verification, email: _email, phone: _phone, ...rest } = details;
  return JSON.stringify(rest);
}

export interface PersonView {
  rendered: Record<string, unknown>;
}

function view(country: string, row: PersonRow): PersonView {
  return { rendered: renderPerson(row, personDue(country, row)) };
}

export async function createPerson(work: UnitOfWork, deps: PersonDependencies, scope: Scope, accountId: string, input: PersonInput): Promise<PersonView> {
  checkInput(input);
  return work.finalTransaction(async (client) => {
    const account = await personAccount(client, scope, accountId, { forUpdate: true });
    const now = deps.clock.nowSeconds();
    const id = newId('person');
    const blank: IndividualData = { first_name: null, last_name: null, email: null, phone: null, dob: null, address: null, id_number_provided: false, ssn_last_4_provided: false, verification: unverified };
    const secrets: PersonSecrets = {
      ...(input.id_number !== undefined ? { id_number: input.id_number } : {}),
      ...(input.ssn_last_4 !== undefined ? { ssn_last_4: input.ssn_last_4 } : {}),
    };
    const details = applyDetails(blank, input);
    const row: PersonRow = {
      id, account_id: account.scope.accountId, livemode: account.scope.livemode,
      details: { ...details, verification: verificationOf(details, true, secrets, account.scope.livemode, now) },
      relationship: applyRelationship({ representative: false, owner: false, director: false, executive: false, title: null, percent_ownership: null }, input.relationship),
      metadata: input.metadata ? mergeMetadata({}, input.metadata) : {},
      created: now,
    };
    const encrypted = Object.keys(secrets).length > 0 ? deps.secretBox.encrypt(JSON.stringify(secrets), associatedData(row.account_id, id)) : null;
    const inserted = await insertPerson(client, row, encrypted);
    const result = view(account.country, inserted);
    await recordEvent(client, account.scope, work, 'person.created', result.rendered);
    await reviewAccount(client, deps, account.scope.accountId, work);
    return result;
  });
}

export async function retrievePerson(deps: PersonDependencies, scope: Scope, accountId: string, personId: string): Promise<PersonView> {
  const account = await personAccount(deps.db, scope, accountId);
  const row = await findPerson(deps.db, account.scope, personId);
  if (!row) throw missing('person', personId, 'person');
  return view(account.country, row);
}

export async function updatePerson(work: UnitOfWork, deps: PersonDependencies, scope: Scope, accountId: string, personId: string, input: PersonInput): Promise<PersonView> {
  checkInput(input);
  return work.finalTransaction(async (client) => {
    const account = await personAccount(client, scope, accountId, { forUpdate: true });
    const row = await findPerson(client, account.scope, personId, { forUpdate: true });
    if (!row) throw missing('person', personId, 'person');
    const before = view(account.country, row);
    const secretsGiven = input.id_number !== undefined || input.ssn_last_4 !== undefined;
    const stored = await findPersonSecrets(client, account.scope, personId);
    const current: PersonSecrets = stored ? JSON.parse(deps.secretBox.decrypt(stored, associatedData(row.account_id, row.id))) as PersonSecrets : {};
    const secrets: PersonSecrets = {
      ...current,
      ...(input.id_number !== undefined ? { id_number: input.id_number } : {}),
      ...(input.ssn_last_4 !== undefined ? { ssn_last_4: input.ssn_last_4 } : {}),
    };
    const details = applyDetails(row.details, input);
    const changed = secretsGiven || identityOf(details) !== identityOf(row.details);
    const next: PersonRow = {
      ...row,
      details: { ...details, verification: verificationOf(details, changed, secrets, row.livemode, deps.clock.nowSeconds()) },
      relationship: applyRelationship(row.relationship, input.relationship),
      metadata: input.metadata !== undefined ? mergeMetadata(row.metadata, input.metadata) : row.metadata,
    };
    const after = view(account.country, next);
    const previous = changedAttributes(before.rendered, after.rendered);
    if (Object.keys(previous).length === 0 && !secretsGiven) return before;
    const saved = await savePerson(client, next, secretsGiven ? deps.secretBox.encrypt(JSON.stringify(secrets), associatedData(row.account_id, row.id)) : undefined);
    const result = view(account.country, saved);
    if (Object.keys(previous).length > 0) await recordEvent(client, account.scope, work, 'person.updated', result.rendered, previous);
    await reviewAccount(client, deps, account.scope.accountId, work);
    return result;
  });
}

export async function deletePersonOf(work: UnitOfWork, deps: PersonDependencies, scope: Scope, accountId: string, personId: string): Promise<PersonView> {
  return work.finalTransaction(async (client) => {
    const account = await personAccount(client, scope, accountId, { forUpdate: true });
    const row = await findPerson(client, account.scope, personId, { forUpdate: true });
    if (!row) throw missing('person', personId, 'person');
    await deletePerson(client, account.scope, personId);
    await recordEvent(client, account.scope, work, 'person.deleted', view(account.country, row).rendered);
    await reviewAccount(client, deps, account.scope.accountId, work);
    return { rendered: renderDeletedPerson(row.id) };
  });
}

export async function listPersonPage(deps: PersonDependencies, scope: Scope, accountId: string, page: PageRequest, relationship: Partial<Record<RelationshipFilter, boolean>>): Promise<Page<Record<string, unknown>>> {
  const account = await personAccount(deps.db, scope, accountId);
  const found = await listPersons(deps.db, account.scope, page, relationship);
  return { rows: found.rows.map((row) => view(account.country, row).rendered), hasMore: found.hasMore };
}
