import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isProvided } from './requirement-fields.ts';
import { assessAccount, evaluateAccount } from './requirements.ts';
import { fieldsNeededFor, rulesFor } from './requirements-table.ts';
import { capabilityNames, type AccountFacts, type BusinessType, type CapabilityName, type CompanyData, type ConnectedAccountRow, type IndividualData, type Verification } from './types.ts';
import { verifyCompany, verifyIndividual } from './verification.ts';

/** 2024-06-15T12:00:00Z. */
const now = Date.UTC(2024, 5, 15, 12) / 1000;
const created = now - 3600;

const unverified: Verification = { status: 'unverified', details: null, details_code: null };

type Requested = Partial<Record<CapabilityName, boolean>>;

/** A connected account as the lead's create would store it: nothing filled in, the capabilities asked for. */
function account(overrides: Partial<ConnectedAccountRow> = {}, requested: Requested = { card_payments: true, transfers: true }): ConnectedAccountRow {
  const capability = (name: CapabilityName) => requested[name]
    ? { requested: true, requested_at: created, status: 'inactive' as const }
    : { requested: false, requested_at: null, status: 'unrequested' as const };
  return {
    id: 'acct_connected', account_id: 'acct_platform', livemode: false, type: 'custom',
    controller: { fees: { payer: 'application' }, losses: { payments: 'application' }, requirement_collection: 'application', stripe_dashboard: { type: 'none' } },
    email: null, business_type: null,
    business_profile: { mcc: null, name: null, product_description: null, support_email: null, support_phone: null, support_url: null, url: null },
    individual: null, company: null,
    tos_acceptance: { date: null, ip: null, user_agent: null, service_agreement: null },
    capabilities: { card_payments: capability('card_payments'), transfers: capability('transfers') },
    requirements: { alternatives: [], current_deadline: null, currently_due: [], disabled_reason: null, errors: [], eventually_due: [], past_due: [], pending_verification: [] },
    future_requirements: { alternatives: [], current_deadline: null, currently_due: [], disabled_reason: null, errors: [], eventually_due: [], past_due: [], pending_verification: [] },
    charges_enabled: false, payouts_enabled: false, details_submitted: false, metadata: {}, rejected_reason: null, next_review_at: null, created,
    ...overrides,
  };
}

function facts(row: ConnectedAccountRow, country: string, hasExternalAccount = false): AccountFacts {
  return { account: row, country, defaultCurrency: 'usd', hasExternalAccount, now };
}

function individual(country: string, overrides: Partial<IndividualData> = {}): IndividualData {
  return {
    first_name: 'Jenny', last_name: 'Rosen', email: 'jenny@example.com', phone: '0000000000', dob: { year: 1901, month: 1, day: 1 },
    address: { line1: 'address_full_match', line2: null, city: 'Schenectady', state: 'NY', postal_code: '12345', country },
    id_number_provided: false, ssn_last_4_provided: true, verification: unverified,
    ...overrides,
  };
}

function company(country: string, overrides: Partial<CompanyData> = {}): CompanyData {
  return {
    name: 'The Best Cookie Co', phone: '0000000000', structure: null,
    address: { line1: 'address_full_match', line2: null, city: 'Schenectady', state: 'NY', postal_code: '12345', country },
    tax_id_provided: true, directors_provided: true, executives_provided: false, owners_provided: true, verification: unverified,
    ...overrides,
  };
}

/** The business details and terms every account gives once onboarded. */
const onboarded: Partial<ConnectedAccountRow> = {
  business_profile: { mcc: '5045', name: null, product_description: null, support_email: null, support_phone: null, support_url: null, url: 'https://bestcookieco.com' },
  tos_acceptance: { date: created, ip: '172.18.80.19', user_agent: null, service_agreement: 'full' },
};

const tos = ['tos_acceptance.date', 'tos_acceptance.ip'];
const dob = ['individual.dob.day', 'individual.dob.month', 'individual.dob.year'];

describe('the requirements table', () => {
  it('asks a new custom account without a business type what Stripe asks, all past due', () => {
    const { requirements, capabilities, charges_enabled, payouts_enabled, details_submitted } = evaluateAccount(facts(account(), 'US'));
    const expected = ['business_profile.mcc', 'business_profile.url', 'business_type', 'external_account', ...tos];
    assert.deepEqual(requirements.currently_due, expected);
    assert.deepEqual(requirements.past_due, expected);
    assert.deepEqual(requirements.eventually_due, expected);
    assert.equal(requirements.disabled_reason, 'requirements.past_due');
    assert.equal(requirements.current_deadline, null);
    assert.deepEqual(requirements.alternatives, [{ alternative_fields_due: ['business_profile.product_description'], original_fields_due: ['business_profile.url'] }]);
    assert.deepEqual([capabilities.card_payments.status, capabilities.transfers.status], ['inactive', 'inactive']);
    assert.deepEqual([charges_enabled, payouts_enabled, details_submitted], [false, false, false]);
  });

  it('US individual: ssn_last_4 now, the full id number eventually, state in the address', () => {
    const { requirements } = evaluateAccount(facts(account({ business_type: 'individual' }), 'US'));
    const now = [
      'business_profile.mcc', 'business_profile.url', 'external_account',
      'individual.address.city', 'individual.address.line1', 'individual.address.postal_code', 'individual.address.state',
      ...dob, 'individual.email', 'individual.first_name', 'individual.last_name', 'individual.phone', 'individual.ssn_last_4', ...tos,
    ];
    assert.deepEqual(requirements.currently_due, now);
    assert.deepEqual(requirements.past_due, now);
    assert.deepEqual(requirements.eventually_due, [...now, 'individual.id_number'].sort());
  });

  it('US company: the company with its state, phone, tax id and owners confirmed', () => {
    const { requirements } = evaluateAccount(facts(account({ business_type: 'company' }), 'US'));
    assert.deepEqual(requirements.currently_due, [
      'business_profile.mcc', 'business_profile.url',
      'company.address.city', 'company.address.line1', 'company.address.postal_code', 'company.address.state',
      'company.name', 'company.owners_provided', 'company.phone', 'company.tax_id', 'external_account', ...tos,
    ]);
  });

  it('GB and NL companies: no state; directors and owners confirmed', () => {
    const expected = [
      'business_profile.mcc', 'business_profile.url', 'company.address.city', 'company.address.line1', 'company.address.postal_code',
      'company.directors_provided', 'company.name', 'company.owners_provided', 'company.phone', 'company.tax_id', 'external_account', ...tos,
    ];
    for (const country of ['GB', 'NL']) assert.deepEqual(evaluateAccount(facts(account({ business_type: 'company' }), country)).requirements.currently_due, expected, country);
  });

  it('DE and FR individuals: no state, no id number; email and phone', () => {
    const expected = [
      'business_profile.mcc', 'business_profile.url', 'external_account', 'individual.address.city', 'individual.address.line1', 'individual.address.postal_code',
      ...dob, 'individual.email', 'individual.first_name', 'individual.last_name', 'individual.phone', ...tos,
    ];
    for (const country of ['DE', 'FR']) {
      const { requirements } = evaluateAccount(facts(account({ business_type: 'individual' }), country));
      assert.deepEqual(requirements.currently_due, expected, country);
      assert.deepEqual(requirements.eventually_due, expected, country);
    }
  });

  it('GB individual receiving transfers only: no MCC and no phone', () => {
    const { requirements, capabilities } = evaluateAccount(facts(account({ business_type: 'individual' }, { transfers: true }), 'GB'));
    assert.deepEqual(requirements.currently_due, [
      'business_profile.url', 'external_account', 'individual.address.city', 'individual.address.line1', 'individual.address.postal_code',
      ...dob, 'individual.email', 'individual.first_name', 'individual.last_name', ...tos,
    ]);
    assert.equal(capabilities.card_payments.status, 'unrequested');
  });

  it('BR individual: the CPF (id_number) from the start, state in the address', () => {
    const { requirements } = evaluateAccount(facts(account({ business_type: 'individual' }), 'BR'));
    assert.deepEqual(requirements.currently_due, [
      'business_profile.mcc', 'business_profile.url', 'external_account',
      'individual.address.city', 'individual.address.line1', 'individual.address.postal_code', 'individual.address.state',
      ...dob, 'individual.email', 'individual.first_name', 'individual.id_number', 'individual.last_name', 'individual.phone', ...tos,
    ]);
  });

  it('IN company: state in the address, the PAN as tax id, directors and owners', () => {
    const { requirements } = evaluateAccount(facts(account({ business_type: 'company' }), 'IN'));
    assert.deepEqual(requirements.currently_due, [
      'business_profile.mcc', 'business_profile.url', 'company.address.city', 'company.address.line1', 'company.address.postal_code', 'company.address.state',
      'company.directors_provided', 'company.name', 'company.owners_provided', 'company.phone', 'company.tax_id', 'external_account', ...tos,
    ]);
  });

  it('falls back to the European row for other European countries and to the international row elsewhere', () => {
    assert.deepEqual(rulesFor('IT', 'individual'), rulesFor('DE', 'individual'));
    assert.deepEqual(rulesFor('se', 'company'), rulesFor('FR', 'company'));
    const canada = evaluateAccount(facts(account({ business_type: 'individual' }), 'CA')).requirements;
    assert.ok(canada.currently_due.includes('individual.address.state'));
    assert.ok(!canada.currently_due.includes('individual.ssn_last_4') && !canada.currently_due.includes('individual.id_number'));
    assert.ok(canada.eventually_due.includes('individual.id_number'));
    const singapore = evaluateAccount(facts(account({ business_type: 'company' }), 'SG')).requirements;
    assert.ok(!singapore.currently_due.includes('company.address.state') && singapore.currently_due.includes('company.owners_provided'));
  });

  it('treats non-profits and government entities as companies without owners', () => {
    for (const businessType of ['non_profit', 'government_entity'] as const) {
      const due = evaluateAccount(facts(account({ business_type: businessType }), 'US')).requirements.currently_due;
      assert.ok(due.includes('company.tax_id') && due.includes('company.name'), businessType);
      assert.ok(!due.includes('company.owners_provided'), businessType);
    }
  });

  it('asks nothing but capabilities of an account that requested none', () => {
    const evaluation = evaluateAccount(facts(account({ business_type: 'individual' }, {}), 'US'));
    assert.equal(evaluation.requirements.disabled_reason, 'action_required.requested_capabilities');
    assert.deepEqual(evaluation.requirements.currently_due, []);
    assert.deepEqual([evaluation.capabilities.card_payments.status, evaluation.capabilities.transfers.status], ['unrequested', 'unrequested']);
    assert.deepEqual([evaluation.charges_enabled, evaluation.payouts_enabled, evaluation.details_submitted], [false, false, false]);
  });

  it('accepts a product description instead of a URL', () => {
    const row = account({ ...onboarded, business_type: 'individual', business_profile: { ...onboarded.business_profile!, url: null, product_description: 'Cookies, sold at our shop' } });
    const { requirements } = evaluateAccount(facts(row, 'US'));
    assert.ok(!requirements.currently_due.includes('business_profile.url'));
    assert.deepEqual(requirements.alternatives, []);
  });
});

describe('onboarding a US individual, through verification', () => {
  const filled = account({ ...onboarded, business_type: 'individual', individual: individual('US') });

  it('everything filled: only verification remains, capabilities pending, details submitted', () => {
    const evaluation = evaluateAccount(facts(filled, 'US', true));
    assert.deepEqual(evaluation.requirements.currently_due, []);
    assert.deepEqual(evaluation.requirements.past_due, []);
    assert.deepEqual(evaluation.requirements.eventually_due, ['individual.id_number']);
    assert.deepEqual(evaluation.requirements.pending_verification, [
      'individual.address.city', 'individual.address.line1', 'individual.address.postal_code', 'individual.address.state',
      ...dob, 'individual.first_name', 'individual.last_name', 'individual.ssn_last_4',
    ]);
    assert.equal(evaluation.requirements.disabled_reason, 'requirements.pending_verification');
    assert.deepEqual([evaluation.capabilities.card_payments.status, evaluation.capabilities.transfers.status], ['pending', 'pending']);
    assert.deepEqual([evaluation.charges_enabled, evaluation.payouts_enabled, evaluation.details_submitted], [false, false, true]);
  });

  it('nothing is being verified before the person can be checked (name and date of birth)', () => {
    const partial = account({ ...filled, individual: individual('US', { dob: null }) });
    const { requirements, capabilities } = evaluateAccount(facts(partial, 'US', true));
    assert.deepEqual(requirements.currently_due, dob);
    assert.deepEqual(requirements.pending_verification, []);
    assert.equal(capabilities.card_payments.status, 'inactive');
  });

  it('verification pending shows the same as submitted-not-yet-checked', () => {
    const pending = account({ ...filled, individual: individual('US', { verification: { status: 'pending', details: null, details_code: null } }) });
    assert.deepEqual(evaluateAccount(facts(pending, 'US', true)), evaluateAccount(facts(filled, 'US', true)));
  });

  it('verified: capabilities active, charges and payouts enabled, nothing disabled', () => {
    const verification = verifyIndividual(filled.individual!, '0000', now);
    const verified = account({ ...filled, individual: { ...filled.individual!, verification }, details_submitted: true });
    const evaluation = evaluateAccount(facts(verified, 'US', true));
    assert.deepEqual([evaluation.capabilities.card_payments.status, evaluation.capabilities.transfers.status], ['active', 'active']);
    assert.deepEqual([evaluation.charges_enabled, evaluation.payouts_enabled, evaluation.details_submitted], [true, true, true]);
    assert.equal(evaluation.requirements.disabled_reason, null);
    assert.deepEqual(evaluation.requirements.pending_verification, []);
    assert.deepEqual(evaluation.requirements.eventually_due, ['individual.id_number']);
    assert.deepEqual(evaluation.capabilities.card_payments.requested_at, created);
  });

  it('verified without a bank account: charges enabled, payouts not, external_account past due', () => {
    const verified = account({ ...filled, individual: { ...filled.individual!, verification: verifyIndividual(filled.individual!, '0000', now) } });
    const evaluation = evaluateAccount(facts(verified, 'US', false));
    assert.deepEqual(evaluation.requirements.currently_due, ['external_account']);
    assert.deepEqual(evaluation.requirements.past_due, ['external_account']);
    assert.equal(evaluation.requirements.disabled_reason, 'requirements.past_due');
    assert.deepEqual([evaluation.capabilities.card_payments.status, evaluation.capabilities.transfers.status], ['active', 'active']);
    assert.deepEqual([evaluation.charges_enabled, evaluation.payouts_enabled, evaluation.details_submitted], [true, false, true]);
    assert.deepEqual(assessAccount(facts(verified, 'US', false)).blocking, { card_payments: [], transfers: [], payouts: ['external_account'] });
  });

  it('a date of birth that fails: the DOB is due again with its error, and the full SSN is asked', () => {
    const person = individual('US', { dob: { year: 1980, month: 11, day: 10 } });
    const failed = account({ ...filled, individual: { ...person, verification: verifyIndividual(person, '0000', now) } });
    const evaluation = evaluateAccount(facts(failed, 'US', true));
    assert.deepEqual(evaluation.requirements.currently_due, [...dob, 'individual.id_number']);
    assert.deepEqual(evaluation.requirements.past_due, [...dob, 'individual.id_number']);
    assert.deepEqual(evaluation.requirements.errors.map((error) => [error.requirement, error.code]), [
      ['individual.dob.day', 'verification_failed_keyed_identity'],
      ['individual.dob.month', 'verification_failed_keyed_identity'],
      ['individual.dob.year', 'verification_failed_keyed_identity'],
      ['individual.id_number', 'verification_failed_keyed_identity'],
    ]);
    assert.ok(evaluation.requirements.errors.every((error) => error.reason.length > 0));
    assert.deepEqual(evaluation.requirements.pending_verification, []);
    assert.equal(evaluation.requirements.disabled_reason, 'requirements.past_due');
    assert.deepEqual([evaluation.capabilities.card_payments.status, evaluation.charges_enabled, evaluation.payouts_enabled], ['inactive', false, false]);
  });

  it('an id number that does not match: individual.id_number is due again', () => {
    const person = individual('US', { id_number_provided: true });
    const failed = account({ ...filled, individual: { ...person, verification: verifyIndividual(person, '111111111', now) } });
    const { requirements } = evaluateAccount(facts(failed, 'US', true));
    assert.deepEqual(requirements.currently_due, ['individual.id_number']);
    assert.deepEqual(requirements.errors.map((error) => error.code), ['verification_failed_keyed_identity']);
    // Corrected: the lead resets the verification and runs it again.
    const corrected = account({ ...filled, individual: { ...person, verification: verifyIndividual(person, '000000000', now) } });
    assert.equal(evaluateAccount(facts(corrected, 'US', true)).charges_enabled, true);
  });

  it('an address that does not match: the whole address is due again (address_line1_no_match: line1 only)', () => {
    const withLine1 = (line1: string) => {
      const person = individual('US', { address: { ...individual('US').address!, line1 } });
      return account({ ...filled, individual: { ...person, verification: verifyIndividual(person, '0000', now) } });
    };
    const noMatch = evaluateAccount(facts(withLine1('address_no_match'), 'US', true)).requirements;
    // An address is not keyed identity: the full SSN is not asked for it.
    assert.deepEqual(noMatch.currently_due, ['individual.address.city', 'individual.address.line1', 'individual.address.postal_code', 'individual.address.state']);
    assert.ok(noMatch.errors.every((error) => error.code === 'verification_failed_address_match'));
    const line1 = evaluateAccount(facts(withLine1('address_line1_no_match'), 'US', true)).requirements;
    assert.deepEqual(line1.currently_due, ['individual.address.line1']);
    assert.deepEqual(line1.errors.map((error) => [error.requirement, error.code]), [['individual.address.line1', 'verification_failed_address_match']]);
  });

  it('a person under 18 is refused at once, before verification concludes', () => {
    const young = account({ ...filled, individual: individual('US', { dob: { year: 2008, month: 1, day: 1 } }) });
    const { requirements, capabilities } = evaluateAccount(facts(young, 'US', true));
    assert.deepEqual(requirements.currently_due, dob);
    assert.deepEqual(requirements.errors.map((error) => error.code), ['invalid_dob_age_under_18', 'invalid_dob_age_under_18', 'invalid_dob_age_under_18']);
    assert.equal(capabilities.card_payments.status, 'inactive');
    assert.ok(!requirements.pending_verification.some((field) => field.startsWith('individual.dob')));
  });

  it('the OFAC date of birth disables the account as listed', () => {
    const person = individual('US', { dob: { year: 1900, month: 1, day: 1 } });
    const listed = account({ ...filled, individual: { ...person, verification: verifyIndividual(person, '0000', now) } });
    const assessment = assessAccount(facts(listed, 'US', true));
    assert.equal(assessment.listed, true);
    assert.equal(assessment.evaluation.requirements.disabled_reason, 'listed');
    assert.deepEqual([assessment.evaluation.capabilities.card_payments.status, assessment.evaluation.capabilities.transfers.status], ['inactive', 'inactive']);
    assert.deepEqual([assessment.evaluation.charges_enabled, assessment.evaluation.payouts_enabled], [false, false]);
    assert.ok(assessment.evaluation.requirements.pending_verification.includes('individual.dob.year'));
  });

  it('details_submitted stays true once true, though a later failure asks fields again', () => {
    const person = individual('US', { dob: { year: 1980, month: 1, day: 1 } });
    const failed = account({ ...filled, individual: { ...person, verification: verifyIndividual(person, '0000', now) } });
    assert.equal(evaluateAccount(facts(failed, 'US', true)).details_submitted, false);
    assert.equal(evaluateAccount(facts({ ...failed, details_submitted: true }, 'US', true)).details_submitted, true);
  });

  it('a rejected account: capabilities inactive, charges and payouts disabled, nothing to collect', () => {
    const verified = account({ ...filled, individual: { ...filled.individual!, verification: verifyIndividual(filled.individual!, '0000', now) } });
    for (const reason of ['fraud', 'terms_of_service', 'other']) {
      const evaluation = evaluateAccount(facts({ ...verified, rejected_reason: reason }, 'US', true));
      assert.equal(evaluation.requirements.disabled_reason, `rejected.${reason}`);
      assert.deepEqual([evaluation.capabilities.card_payments.status, evaluation.capabilities.transfers.status], ['inactive', 'inactive']);
      assert.deepEqual([evaluation.charges_enabled, evaluation.payouts_enabled], [false, false]);
      assert.deepEqual([evaluation.requirements.currently_due, evaluation.requirements.eventually_due, evaluation.requirements.past_due, evaluation.requirements.errors], [[], [], [], []]);
    }
  });
});

describe('onboarding companies', () => {
  const filled = (data: CompanyData) => account({ ...onboarded, business_type: 'company', company: data });

  it('a GB company verified with tax id 000000000: charges and payouts enabled', () => {
    const data = company('GB', { address: { line1: 'address_full_match', line2: null, city: 'London', state: null, postal_code: 'EC1A 1BB', country: 'GB' } });
    const pending = evaluateAccount(facts(filled(data), 'GB', true));
    assert.deepEqual(pending.requirements.pending_verification, ['company.address.city', 'company.address.line1', 'company.address.postal_code', 'company.name', 'company.tax_id']);
    assert.equal(pending.capabilities.card_payments.status, 'pending');
    const verified = evaluateAccount(facts(filled({ ...data, verification: verifyCompany(data, '000000000') }), 'GB', true));
    assert.deepEqual([verified.charges_enabled, verified.payouts_enabled, verified.requirements.disabled_reason], [true, true, null]);
  });

  it('a tax id that does not match: company.tax_id due again with verification_failed_tax_id_match', () => {
    const data = company('US');
    const { requirements, charges_enabled } = evaluateAccount(facts(filled({ ...data, verification: verifyCompany(data, '111111111') }), 'US', true));
    assert.deepEqual(requirements.currently_due, ['company.tax_id']);
    assert.deepEqual(requirements.errors.map((error) => [error.requirement, error.code]), [['company.tax_id', 'verification_failed_tax_id_match']]);
    assert.equal(charges_enabled, false);
  });

  it('business address_no_match: line1 due again, charges stay enabled, payouts stop', () => {
    const data = company('US', { address: { ...company('US').address!, line1: 'address_no_match' } });
    const assessment = assessAccount(facts(filled({ ...data, verification: verifyCompany(data, '000000000') }), 'US', true));
    const { requirements, charges_enabled, payouts_enabled, capabilities } = assessment.evaluation;
    assert.deepEqual(requirements.currently_due, ['company.address.line1']);
    assert.deepEqual(requirements.errors.map((error) => error.code), ['verification_failed_address_match']);
    assert.deepEqual([charges_enabled, payouts_enabled, capabilities.card_payments.status], [true, false, 'active']);
    assert.deepEqual(assessment.blocking.payouts, ['company.address.line1']);
  });

  it('business address_line1_no_match: the whole address due again, neither charges nor payouts', () => {
    const data = company('US', { address: { ...company('US').address!, line1: 'address_line1_no_match' } });
    const { requirements, charges_enabled, payouts_enabled } = evaluateAccount(facts(filled({ ...data, verification: verifyCompany(data, '000000000') }), 'US', true));
    assert.deepEqual(requirements.currently_due, ['company.address.city', 'company.address.line1', 'company.address.postal_code', 'company.address.state']);
    assert.deepEqual([charges_enabled, payouts_enabled], [false, false]);
  });

  it('a URL token puts business_profile.url back with its error, whatever the business type', () => {
    const data = company('US');
    const row = filled({ ...data, verification: verifyCompany(data, '000000000') });
    const evaluation = evaluateAccount(facts({ ...row, business_profile: { ...row.business_profile, url: 'https://geoblocked.stripe.com' } }, 'US', true));
    assert.deepEqual(evaluation.requirements.currently_due, ['business_profile.url']);
    assert.deepEqual(evaluation.requirements.errors.map((error) => error.code), ['invalid_url_website_inaccessible_geoblocked']);
    assert.deepEqual(evaluation.requirements.alternatives, [], 'a URL was given: a product description is no alternative to fixing it');
    assert.equal(evaluation.charges_enabled, false);
  });

  it('an account with card_payments alone pays out through it', () => {
    const data = company('US');
    const row = account({ ...onboarded, business_type: 'company', company: { ...data, verification: verifyCompany(data, '222222222') } }, { card_payments: true });
    const evaluation = evaluateAccount(facts(row, 'US', true));
    assert.deepEqual([evaluation.capabilities.card_payments.status, evaluation.capabilities.transfers.status], ['active', 'unrequested']);
    assert.deepEqual([evaluation.charges_enabled, evaluation.payouts_enabled], [true, true]);
  });

  it('an account with transfers alone: no charges, payouts once transfers are active', () => {
    const data = company('FR', { phone: null, address: { line1: '5 Rue de Rivoli', line2: null, city: 'Paris', state: null, postal_code: '75001', country: 'FR' } });
    const row = account({ ...onboarded, business_type: 'company', business_profile: { ...onboarded.business_profile!, mcc: null }, company: { ...data, verification: verifyCompany(data, '000000000') } }, { transfers: true });
    const evaluation = evaluateAccount(facts(row, 'FR', true));
    assert.deepEqual(evaluation.requirements.currently_due, []);
    assert.deepEqual([evaluation.capabilities.transfers.status, evaluation.charges_enabled, evaluation.payouts_enabled], ['active', false, true]);
  });
});

// ---- Properties ------------------------------------------------------------------------------------------------

const countries = ['US', 'GB', 'DE', 'FR', 'NL', 'BR', 'IN', 'CA', 'IT', 'AU', 'SG'];
const businessTypes: (BusinessType | null)[] = [null, 'individual', 'company', 'non_profit', 'government_entity'];

/** One thing an account can provide, and a value for it (Stripe's test tokens included). */
type Filler = (row: ConnectedAccountRow) => ConnectedAccountRow;

const emptyIndividual: IndividualData = {
  first_name: null, last_name: null, email: null, phone: null, dob: null, address: null, id_number_provided: false, ssn_last_4_provided: false, verification: unverified,
};
const emptyCompany: CompanyData = {
  name: null, phone: null, address: null, structure: null, tax_id_provided: false, directors_provided: false, executives_provided: false, owners_provided: false, verification: unverified,
};
const noAddress = { line1: null, line2: null, city: null, state: null, postal_code: null, country: null };

function withIndividual(change: (data: IndividualData) => Partial<IndividualData>): Filler {
  return (row) => {
    const base = row.individual ?? emptyIndividual;
    return { ...row, individual: { ...base, ...change(base) } };
  };
}
function withCompany(change: (data: CompanyData) => Partial<CompanyData>): Filler {
  return (row) => {
    const base = row.company ?? emptyCompany;
    return { ...row, company: { ...base, ...change(base) } };
  };
}

/**
 * Fillers of fields no verification looks at (the business profile, terms, contact details, confirmations), with
 * valid values: an invalid one (a denylisted URL) is asked again at once, by design, and has its own tests.
 */
const plainFillers: fc.Arbitrary<Filler>[] = [
  fc.constantFrom('5045', '7922').map((mcc): Filler => (row) => ({ ...row, business_profile: { ...row.business_profile, mcc } })),
  fc.constantFrom('https://bestcookieco.com', 'https://accessible.stripe.com').map((url): Filler => (row) => ({ ...row, business_profile: { ...row.business_profile, url } })),
  fc.constantFrom('Cookies sold in our shop', 'require_url').map((text): Filler => (row) => ({ ...row, business_profile: { ...row.business_profile, product_description: text } })),
  fc.constant<Filler>((row) => ({ ...row, tos_acceptance: { ...row.tos_acceptance, date: created } })),
  fc.constant<Filler>((row) => ({ ...row, tos_acceptance: { ...row.tos_acceptance, ip: '172.18.80.19' } })),
  fc.constant<Filler>(withIndividual(() => ({ email: 'jenny@example.com' }))),
  fc.constant<Filler>(withIndividual(() => ({ phone: '0000000000' }))),
  fc.constant<Filler>(withCompany(() => ({ phone: '0000000000' }))),
  fc.constant<Filler>(withCompany(() => ({ owners_provided: true }))),
  fc.constant<Filler>(withCompany(() => ({ directors_provided: true }))),
];

/** Fillers of what identity verification judges (names, DOB, addresses, id numbers, tax ids), test tokens included. */
const verifiedFillers: fc.Arbitrary<Filler>[] = [
  fc.constant<Filler>(withIndividual(() => ({ first_name: 'Jenny' }))),
  fc.constant<Filler>(withIndividual(() => ({ last_name: 'Rosen' }))),
  fc.constantFrom({ year: 1901, month: 1, day: 1 }, { year: 1902, month: 1, day: 1 }, { year: 1985, month: 3, day: 4 }, { year: 2010, month: 1, day: 1 })
    .map((birth): Filler => withIndividual(() => ({ dob: birth }))),
  fc.constantFrom('address_full_match', 'address_no_match', 'address_line1_no_match', '1 Main St')
    .map((line1): Filler => withIndividual((data) => ({ address: { ...(data.address ?? noAddress), line1 } }))),
  fc.constant<Filler>(withIndividual((data) => ({ address: { ...(data.address ?? noAddress), city: 'Springfield' } }))),
  fc.constant<Filler>(withIndividual((data) => ({ address: { ...(data.address ?? noAddress), postal_code: '12345' } }))),
  fc.constant<Filler>(withIndividual((data) => ({ address: { ...(data.address ?? noAddress), state: 'NY' } }))),
  fc.constant<Filler>(withIndividual(() => ({ id_number_provided: true, ssn_last_4_provided: true }))),
  fc.constant<Filler>(withIndividual(() => ({ ssn_last_4_provided: true }))),
  fc.constantFrom('The Best Cookie Co', 'mismatch_business_name', 'match_name_only').map((name): Filler => withCompany(() => ({ name }))),
  fc.constantFrom('address_full_match', 'address_no_match', 'address_line1_no_match')
    .map((line1): Filler => withCompany((data) => ({ address: { ...(data.address ?? noAddress), line1 } }))),
  fc.constant<Filler>(withCompany((data) => ({ address: { ...(data.address ?? noAddress), city: 'Springfield' } }))),
  fc.constant<Filler>(withCompany((data) => ({ address: { ...(data.address ?? noAddress), postal_code: '12345' } }))),
  fc.constant<Filler>(withCompany((data) => ({ address: { ...(data.address ?? noAddress), state: 'NY' } }))),
  fc.constant<Filler>(withCompany(() => ({ tax_id_provided: true }))),
];

const anyFiller = fc.oneof(...plainFillers, ...verifiedFillers);
const verifications: Verification[] = [
  unverified,
  { status: 'pending', details: null, details_code: null },
  { status: 'verified', details: null, details_code: null },
  { status: 'unverified', details: 'failed', details_code: 'failed_keyed_identity' },
  { status: 'unverified', details: 'failed', details_code: 'failed_other' },
  { status: 'unverified', details: 'failed', details_code: 'verification_failed_tax_id_match' },
];

interface Scenario {
  country: string;
  businessType: BusinessType | null;
  requested: Requested;
  hasExternalAccount: boolean;
  verification: Verification;
  rejected: string | null;
  detailsSubmitted: boolean;
  /** Start from an account with everything filled in (valid values), so that capabilities do become active. */
  complete: boolean;
  before: Filler[];
  added: Filler[];
}

/** Everything every table asks, with values that verify. */
const completeFillers: Filler[] = [
  (row) => ({ ...row, ...onboarded }),
  withIndividual(() => ({ ...individual('US'), id_number_provided: true, verification: unverified })),
  withCompany(() => ({ ...company('US'), verification: unverified })),
];

const scenarios: fc.Arbitrary<Scenario> = fc.record({
  country: fc.constantFrom(...countries),
  businessType: fc.constantFrom(...businessTypes),
  requested: fc.record({ card_payments: fc.boolean(), transfers: fc.boolean() }),
  hasExternalAccount: fc.boolean(),
  verification: fc.oneof(fc.constant(verifications[2] as Verification), fc.constantFrom(...verifications)),
  rejected: fc.constantFrom(null, null, null, 'fraud'),
  detailsSubmitted: fc.boolean(),
  complete: fc.boolean(),
  before: fc.array(anyFiller, { maxLength: 20 }),
  added: fc.array(anyFiller, { minLength: 1, maxLength: 10 }),
});

/**
 * The account of a scenario: `added`, then the complete account if the scenario starts from one, then the
 * scenario's own fillers (so what those set keeps its value and `added` only fills what they left empty), applied
 * to an empty person and company (both accounts of a comparison hold the same verification record), with the
 * scenario's verification outcome set on both.
 */
function build(scenario: Scenario, added: Filler[] = []): ConnectedAccountRow {
  let row = account({ business_type: scenario.businessType, rejected_reason: scenario.rejected, details_submitted: scenario.detailsSubmitted, individual: emptyIndividual, company: emptyCompany }, scenario.requested);
  for (const fill of [...added, ...(scenario.complete ? completeFillers : []), ...scenario.before]) row = fill(row);
  return {
    ...row,
    individual: { ...(row.individual ?? emptyIndividual), verification: scenario.verification },
    company: { ...(row.company ?? emptyCompany), verification: scenario.verification },
  };
}

function isSubset(small: readonly string[], large: readonly string[]): boolean {
  const set = new Set(large);
  return small.every((value) => set.has(value));
}

describe('properties of the engine', () => {
  const providingMoreNeverAddsDue = (scenario: Scenario, bankAdded: boolean) => {
    const before = evaluateAccount(facts(build(scenario), scenario.country, scenario.hasExternalAccount));
    const after = evaluateAccount(facts(build(scenario, scenario.added), scenario.country, scenario.hasExternalAccount || bankAdded));
    assert.ok(isSubset(after.requirements.currently_due, before.requirements.currently_due),
      `new: ${after.requirements.currently_due.filter((field) => !before.requirements.currently_due.includes(field)).join(', ')}`);
  };

  it('providing more never adds a currently due field, while no verification has failed', () => {
    const notFailed = scenarios.filter((scenario) => scenario.verification.details_code === null);
    fc.assert(fc.property(notFailed, fc.boolean(), providingMoreNeverAddsDue), { numRuns: 500 });
  });

  it('after a failed verification, providing what verification does not judge never adds a currently due field', () => {
    // What a failed verification judged is read back from the data it judged (an update resets it), so only fields
    // outside its judgement can be added under the same failure.
    const failed = fc.record({ scenario: scenarios, added: fc.array(fc.oneof(...plainFillers), { minLength: 1, maxLength: 10 }), verification: fc.constantFrom(...verifications.filter((verification) => verification.details_code !== null)) })
      .map(({ scenario, added, verification }) => ({ ...scenario, added, verification }));
    fc.assert(fc.property(failed, fc.boolean(), providingMoreNeverAddsDue), { numRuns: 500 });
  });

  it('keeps Stripe\'s invariants: eventually ⊇ currently = past due ⊇ errors; pending apart from due; sorted, unique', () => {
    fc.assert(fc.property(scenarios, (scenario) => {
      const { requirements, future_requirements } = evaluateAccount(facts(build(scenario), scenario.country, scenario.hasExternalAccount));
      assert.ok(isSubset(requirements.currently_due, requirements.eventually_due));
      assert.deepEqual(requirements.past_due, requirements.currently_due);
      assert.ok(isSubset(requirements.errors.map((error) => error.requirement), requirements.currently_due));
      assert.ok(!requirements.pending_verification.some((field) => requirements.currently_due.includes(field)));
      for (const list of [requirements.currently_due, requirements.eventually_due, requirements.pending_verification]) {
        assert.deepEqual(list, [...new Set(list)].sort());
      }
      assert.equal(requirements.current_deadline, null);
      assert.deepEqual(future_requirements.currently_due, []);
    }), { numRuns: 500 });
  });

  it('an active capability has nothing it needs missing, due or pending; charges and payouts follow', () => {
    fc.assert(fc.property(scenarios, (scenario) => {
      const row = build(scenario);
      const input = facts(row, scenario.country, scenario.hasExternalAccount);
      const { evaluation, blocking, pending } = assessAccount(input);
      for (const name of capabilityNames) {
        const status = evaluation.capabilities[name].status;
        assert.equal(status === 'unrequested', !row.capabilities[name].requested);
        if (status !== 'active') continue;
        assert.deepEqual([blocking[name], pending[name]], [[], []]);
        assert.deepEqual(evaluation.requirements.pending_verification, []);
        for (const field of fieldsNeededFor(scenario.country, row.business_type, name)) {
          const rule = rulesFor(scenario.country, row.business_type).find((candidate) => candidate.field === field);
          if (rule?.timing === 'now') assert.ok(isProvided[field]({ account: row, hasExternalAccount: input.hasExternalAccount }), `${name} active without ${field}`);
        }
        assert.equal(row.rejected_reason, null);
      }
      assert.equal(evaluation.charges_enabled, evaluation.capabilities.card_payments.status === 'active');
      if (evaluation.payouts_enabled) {
        assert.ok(input.hasExternalAccount);
        assert.deepEqual(blocking.payouts, []);
      }
      if (evaluation.requirements.disabled_reason === null) {
        assert.ok(capabilityNames.every((name) => !row.capabilities[name].requested || evaluation.capabilities[name].status === 'active'));
      }
      if (row.rejected_reason !== null) {
        assert.equal(evaluation.requirements.disabled_reason, `rejected.${row.rejected_reason}`);
        assert.deepEqual([evaluation.charges_enabled, evaluation.payouts_enabled], [false, false]);
      }
    }), { numRuns: 500 });
  });

  it('is deterministic and leaves its input alone', () => {
    fc.assert(fc.property(scenarios, (scenario) => {
      const input = facts(build(scenario), scenario.country, scenario.hasExternalAccount);
      const copy = structuredClone(input);
      const first = evaluateAccount(input);
      assert.deepEqual(input, copy);
      assert.deepEqual(evaluateAccount(copy), first);
    }), { numRuns: 200 });
  });
});
