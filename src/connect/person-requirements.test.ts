import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { personDue } from './person-requirements.ts';
import type { PersonRow } from './person-types.ts';
import { evaluateAccount } from './requirements.ts';
import type { ConnectedAccountRow } from './types.ts';

const unverified = { status: 'unverified' as const, details: null, details_code: null };

function person(relationship: Partial<PersonRow['relationship']>, details: Partial<PersonRow['details']> = {}): PersonRow {
  return {
    id: 'person_1', account_id: 'acct_1', livemode: false, metadata: {}, created: 0,
    relationship: { representative: false, owner: false, director: false, executive: false, title: null, percent_ownership: null, ...relationship },
    details: { first_name: null, last_name: null, email: null, phone: null, dob: null, address: null, id_number_provided: false, ssn_last_4_provided: false, verification: unverified, ...details },
  };
}

describe('what is due for a person', () => {
  it('a US representative is asked what a US individual is asked, without the individual. prefix', () => {
    const due = personDue('US', person({ representative: true }, { first_name: 'Rita' }));
    assert.ok(due.currently_due.includes('last_name'));
    assert.ok(due.currently_due.includes('ssn_last_4'));
    assert.ok(due.currently_due.includes('address.state'));
    assert.equal(due.currently_due.includes('first_name'), false);
    assert.ok(due.eventually_due.includes('id_number'));
  });

  it('an owner who is not the representative: the name now, the date of birth eventually', () => {
    assert.deepEqual(personDue('GB', person({ owner: true }, { first_name: 'Owen' })), { currently_due: ['last_name'], eventually_due: ['dob.day', 'dob.month', 'dob.year', 'last_name'] });
  });

  it("a company's persons' fields are the account's requirements, named person_...; an individual account's are not", () => {
    const row = {
      id: 'acct_1', account_id: 'acct_p', livemode: false, type: 'custom', business_type: 'company', individual: null, rejected_reason: null, details_submitted: false,
      business_profile: { mcc: null, name: null, product_description: null, support_email: null, support_phone: null, support_url: null, url: null },
      tos_acceptance: { date: null, ip: null, user_agent: null, service_agreement: null },
      company: { name: 'C', phone: null, address: null, structure: null, tax_id_provided: false, directors_provided: false, executives_provided: false, owners_provided: false, verification: unverified },
      capabilities: { card_payments: { requested: false, requested_at: null, status: 'unrequested' }, transfers: { requested: true, requested_at: 0, status: 'inactive' } },
    } as unknown as ConnectedAccountRow;
    const personsDue = [{ id: 'person_1', currently_due: ['dob.day'], eventually_due: ['dob.day', 'id_number'] }];
    const evaluation = evaluateAccount({ account: row, country: 'US', defaultCurrency: 'usd', hasExternalAccount: false, now: 0, personsDue });
    assert.ok(evaluation.requirements.currently_due.includes('person_1.dob.day'));
    assert.ok(evaluation.requirements.eventually_due.includes('person_1.id_number'));
    const without = evaluateAccount({ account: row, country: 'US', defaultCurrency: 'usd', hasExternalAccount: false, now: 0 });
    assert.equal(without.requirements.currently_due.some((field) => field.startsWith('person_')), false);
    const individual = evaluateAccount({ account: { ...row, business_type: 'individual', company: null }, country: 'US', defaultCurrency: 'usd', hasExternalAccount: false, now: 0, personsDue });
    assert.equal(individual.requirements.currently_due.some((field) => field.startsWith('person_')), false);
  });
});
