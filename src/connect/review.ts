import type { Dependencies } from '../dependencies.ts';
import { findAccounts, type AccountRecord } from '../accounts/repository.ts';
import { findAccountsSettings } from '../accounts/settings-repository.ts';
import type { AccountSettings } from '../accounts/settings.ts';
import type { EventRequest } from '../events/repository.ts';
import { changedAttributes, recordEvents, type NewEvent } from '../events/service.ts';
import { listExternalAccountsOf, type ExternalAccountRow } from '../external-accounts/repository.ts';
import { inTransaction, type Queryable } from '../platform/db.ts';
import type { Page } from '../platform/pagination.ts';
import { assert } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import { personDue } from './person-requirements.ts';
import { findPersonsOf } from './person-repository.ts';
import type { PersonRow } from './person-types.ts';
import { embeddedExternalAccountsMax, renderConnectedAccount } from './render.ts';
import { findAccountsDueForReview, findConnectedAccountById, findConnectedAccountSecrets, saveConnectedAccount } from './repository.ts';
import { evaluateAccount } from './requirements.ts';
import { decryptSecrets, type ClearSecrets, type SecretsDependencies } from './secrets.ts';
import { capabilityNames, type CapabilityName, type ConnectedAccountRow } from './types.ts';
import {
  companyReadyForVerification, companyVerificationIsImmediate, individualReadyForVerification, individualVerificationIsImmediate, verificationFailed, verifyCompany,
  verifyIndividual,
} from './verification.ts';

// Keeping a connected account's derived fields true: after every change (an update, a bank account added, a
// verification finished) the requirements engine decides capabilities, requirements and charges/payouts enabled,
// and the changes are recorded as `account.updated` and `capability.updated` events in the same transaction.
//
// Identity verification runs in the background, as at Stripe: data that can be checked makes the person's or
// company's verification `pending` and puts the account in the connect sweep's queue (`next_review_at`); the sweep
// checks it (verification.ts: Stripe's test values) and re-evaluates. In live mode Payrail has no identity provider
// yet: verification stays pending and the capabilities that need it cannot become active.

export type ReviewDependencies = Pick<Dependencies, 'db' | 'pricing' | 'clock'> & SecretsDependencies;

/** How long after a change a test-mode verification finishes (Stripe's test verifications take a few seconds). */
export const verificationDelaySeconds = 2;

/** What rendering and evaluating an account reads besides its row. */
export interface AccountContext {
  account: AccountRecord;
  settings: AccountSettings;
  externalAccounts: Page<ExternalAccountRow>;
  /** The account's persons (the Persons API), whose missing fields a company account's requirements list. */
  persons: PersonRow[];
}

/** How many of an account's persons the requirements engine reads (a company's representative, owners, directors, executives). */
export const evaluatedPersonsMax = 100;

export async function accountContext(db: Queryable, row: ConnectedAccountRow): Promise<AccountContext> {
  const [context] = await accountContexts(db, [row]);
  return context;
}

/**
 * The contexts of a page of accounts at once: four statements, whatever the page's size, one after another (`db` may
 * be one client inside a transaction, which runs one query at a time: pg 9 refuses queries sent while one runs).
 */
export async function accountContexts(db: Queryable, rows: readonly ConnectedAccountRow[]): Promise<AccountContext[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const accounts = await findAccounts(db, ids);
  const settings = await findAccountsSettings(db, ids);
  const externalAccounts = await listExternalAccountsOf(db, ids, rows[0].livemode, embeddedExternalAccountsMax);
  const persons = await findPersonsOf(db, ids, rows[0].livemode, evaluatedPersonsMax);
  return rows.map((row) => {
    const account = accounts.get(row.id);
    assert(account, `connected account ${row.id} has its accounts row`);
    return { account, settings: settings.get(row.id)!, externalAccounts: externalAccounts.get(row.id)!, persons: persons.get(row.id) ?? [] };
  });
}

export function renderWith(deps: Pick<Dependencies, 'pricing'>, row: ConnectedAccountRow, context: AccountContext): Record<string, unknown> {
  return renderConnectedAccount(context.account, context.settings, row, context.externalAccounts, deps.pricing);
}

/**
 * Starts the verifications the account is ready for, then evaluates it. A person with a name and a date of birth (a
 * company with a name and a tax id) not yet checked becomes `pending`, reviewed by the connect sweep after a short
 * delay in test mode; Stripe's test values that verify at once (1902-01-01, 222222222) are verified here, in the
 * answer, when the clear secrets are given. A failed check stays failed until the data it checked changes
 * (applyConnectFields then clears it). Pure but for the clock it is given.
 */
export function withDerivedFields(row: ConnectedAccountRow, context: AccountContext, now: number, secrets?: ClearSecrets): ConnectedAccountRow {
  let next = row;
  let started = false;
  const pending = { status: 'pending' as const, details: null, details_code: null };
  const person = next.individual;
  if (next.business_type === 'individual' && person && person.verification.status === 'unverified' && !verificationFailed(person.verification) && individualReadyForVerification(person)) {
    const idNumber = secrets ? secrets.idNumber ?? secrets.ssnLast4 : null;
    const immediate = !next.livemode && secrets !== undefined && individualVerificationIsImmediate(person, idNumber);
    next = { ...next, individual: { ...person, verification: immediate ? verifyIndividual(person, idNumber, now) : pending } };
    started ||= !immediate;
  }
  const company = next.company;
  if (next.business_type !== null && next.business_type !== 'individual' && company && company.verification.status === 'unverified' && !verificationFailed(company.verification) && companyReadyForVerification(company)) {
    const taxId = secrets?.taxId ?? null;
    const immediate = !next.livemode && secrets !== undefined && companyVerificationIsImmediate(company, taxId);
    next = { ...next, company: { ...company, verification: immediate ? verifyCompany(company, taxId) : pending } };
    started ||= !immediate;
  }
  const personsDue = context.persons.map((person) => ({ id: person.id, ...personDue(context.settings.country, person) }));
  const evaluation = evaluateAccount({ account: next, country: context.settings.country, defaultCurrency: context.settings.default_currency, hasExternalAccount: context.externalAccounts.rows.length > 0, now, personsDue });
  // Live mode has no identity provider yet: a started verification stays pending, nobody to review it.
  const reviewAt = started && !next.livemode ? new Date((now + verificationDelaySeconds) * 1000) : next.next_review_at;
  return { ...next, ...evaluation, next_review_at: reviewAt };
}

/** Stripe's `capability` object, as `capability.updated` carries it. */
export function renderCapability(row: ConnectedAccountRow, name: CapabilityName): Record<string, unknown> {
  const capability = row.capabilities[name];
  return {
    id: name,
    object: 'capability',
    account: row.id,
    future_requirements: { alternatives: [], current_deadline: null, currently_due: [], disabled_reason: null, errors: [], eventually_due: [], past_due: [], pending_verification: [] },
    requested: capability.requested,
    requested_at: capability.requested_at,
    requirements: {
      alternatives: row.requirements.alternatives,
      current_deadline: row.requirements.current_deadline,
      currently_due: row.requirements.currently_due,
      disabled_reason: capability.status === 'active' ? null : row.requirements.disabled_reason,
      errors: row.requirements.errors,
      eventually_due: row.requirements.eventually_due,
      past_due: row.requirements.past_due,
      pending_verification: row.requirements.pending_verification,
    },
    status: capability.status,
  };
}

/** The events of an account's change: `account.updated` with what changed, and `capability.updated` per capability whose status moved. */
export function changeEvents(before: { row: ConnectedAccountRow; rendered: Record<string, unknown> }, after: { row: ConnectedAccountRow; rendered: Record<string, unknown> }): NewEvent[] {
  const events: NewEvent[] = [];
  const previous = changedAttributes(before.rendered, after.rendered);
  if (Object.keys(previous).length > 0) events.push({ type: 'account.updated', object: after.rendered, previousAttributes: previous });
  for (const name of capabilityNames) {
    const was = before.row.capabilities[name];
    const now = after.row.capabilities[name];
    if (now.status !== 'unrequested' && (was.status !== now.status || was.requested !== now.requested)) {
      events.push({ type: 'capability.updated', object: renderCapability(after.row, name), previousAttributes: { status: was.status === 'unrequested' ? null : was.status } });
    }
  }
  return events;
}

/**
 * Re-evaluates an account after something outside its row changed (a bank account added or removed), under its row
 * lock, recording what changed. The caller's transaction.
 */
export async function reviewAccount(client: Queryable, deps: ReviewDependencies, accountId: string, work: EventRequest): Promise<ConnectedAccountRow | undefined> {
  const row = await findConnectedAccountById(client, accountId, { forUpdate: true });
  if (!row) return undefined;
  const context = await accountContext(client, row);
  const next = withDerivedFields(row, context, deps.clock.nowSeconds());
  const before = renderWith(deps, row, context);
  const after = renderWith(deps, next, context);
  const events = changeEvents({ row, rendered: before }, { row: next, rendered: after });
  if (events.length === 0 && next.next_review_at?.getTime() === row.next_review_at?.getTime()) return row;
  const saved = await saveConnectedAccount(client, next);
  await recordEvents(client, scopeOf(saved), work, events);
  return saved;
}

export function scopeOf(row: Pick<ConnectedAccountRow, 'id' | 'livemode'>): Scope {
  return { accountId: row.id, livemode: row.livemode };
}

/** Finishes the verifications in progress of one account (its review is due) with Stripe's test values. */
function verified(row: ConnectedAccountRow, secrets: ClearSecrets, now: number): ConnectedAccountRow {
  let next = row;
  if (next.business_type === 'individual' && next.individual?.verification.status === 'pending') {
    next = { ...next, individual: { ...next.individual, verification: verifyIndividual(next.individual, secrets.idNumber ?? secrets.ssnLast4, now) } };
  }
  if (next.company?.verification.status === 'pending') {
    next = { ...next, company: { ...next.company, verification: verifyCompany(next.company, secrets.taxId) } };
  }
  return { ...next, next_review_at: null };
}

/**
 * The connect sweep: accounts whose review is due have their verification finished and are re-evaluated, each in its
 * own transaction under its row lock (so two sweeps, or a sweep and an update, apply one after the other). Returns how
 * many accounts changed.
 */
export async function reviewDueAccounts(deps: ReviewDependencies, limit = 100): Promise<number> {
  let changed = 0;
  for (const { id } of await findAccountsDueForReview(deps.db, limit)) {
    const applied = await inTransaction(deps.db, async (client) => {
      const row = await findConnectedAccountById(client, id, { forUpdate: true });
      if (!row || row.next_review_at === null || row.next_review_at.getTime() > Date.now()) return false;
      const now = deps.clock.nowSeconds();
      const secrets = decryptSecrets(deps, row.id, await findConnectedAccountSecrets(client, row.id));
      const context = await accountContext(client, row);
      const next = withDerivedFields(verified(row, secrets, now), context, now, secrets);
      const events = changeEvents({ row, rendered: renderWith(deps, row, context) }, { row: next, rendered: renderWith(deps, next, context) });
      const saved = await saveConnectedAccount(client, next);
      // The sweep's events belong to no API request.
      await recordEvents(client, scopeOf(saved), undefined, events);
      return events.length > 0;
    });
    if (applied) changed += 1;
  }
  return changed;
}
