import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { repositoryRoot } from '../../test/helpers/source-files.ts';
import type { BusinessProfile, CompanyData, Dob, IndividualData } from './types.ts';
import {
  ageInYears, businessProfileIssues, companyIssues, companyReadyForVerification, companyVerificationIsImmediate, individualIssues, individualReadyForVerification,
  individualVerificationIsImmediate, isWatchlistDob, storedCompanyIssues, storedIndividualIssues, testBusinessNames, testBusinessUrls, verificationFailed, verifyCompany,
  verifyIndividual,
} from './verification.ts';

/** 2024-06-15T12:00:00Z. */
const now = Date.UTC(2024, 5, 15, 12) / 1000;

function person(overrides: Partial<IndividualData> = {}): IndividualData {
  return {
    first_name: 'Jenny', last_name: 'Rosen', email: 'jenny@example.com', phone: '0000000000',
    dob: { year: 1901, month: 1, day: 1 },
    address: { line1: 'address_full_match', line2: null, city: 'Schenectady', state: 'NY', postal_code: '12345', country: 'US' },
    id_number_provided: false, ssn_last_4_provided: true,
    verification: { status: 'unverified', details: null, details_code: null },
    ...overrides,
  };
}

function company(overrides: Partial<CompanyData> = {}): CompanyData {
  return {
    name: 'The Best Cookie Co', phone: '0000000000', structure: null,
    address: { line1: 'address_full_match', line2: null, city: 'Schenectady', state: 'NY', postal_code: '12345', country: 'US' },
    tax_id_provided: true, directors_provided: true, executives_provided: true, owners_provided: true,
    verification: { status: 'unverified', details: null, details_code: null },
    ...overrides,
  };
}

function profile(overrides: Partial<BusinessProfile> = {}): BusinessProfile {
  return { mcc: '5045', name: null, product_description: null, support_email: null, support_phone: null, support_url: null, url: 'https://bestcookieco.com', ...overrides };
}

const dob = (year: number, month: number, day: number): Dob => ({ year, month, day });

describe('verifyIndividual: Stripe test dates of birth', () => {
  it('verifies 1901-01-01, after a delay', () => {
    assert.deepEqual(verifyIndividual(person(), '0000', now), { status: 'verified', details: null, details_code: null });
    assert.equal(individualVerificationIsImmediate(person(), '0000'), false);
  });

  it('verifies 1902-01-01 immediately', () => {
    const jenny = person({ dob: dob(1902, 1, 1) });
    assert.equal(verifyIndividual(jenny, '0000', now).status, 'verified');
    assert.equal(individualVerificationIsImmediate(jenny, '0000'), true);
  });

  it('leaves 1900-01-01 under review (an OFAC alert)', () => {
    const jenny = person({ dob: dob(1900, 1, 1) });
    const verification = verifyIndividual(jenny, '0000', now);
    assert.equal(verification.status, 'pending');
    assert.equal(verification.details_code, null);
    assert.equal(isWatchlistDob(jenny.dob), true);
    assert.equal(isWatchlistDob(dob(1901, 1, 1)), false);
    assert.equal(isWatchlistDob(null), false);
  });

  it('fails keyed identity for any other adult date of birth', () => {
    for (const other of [dob(1990, 5, 17), dob(1901, 1, 2), dob(1980, 11, 10)]) {
      const verification = verifyIndividual(person({ dob: other }), '0000', now);
      assert.equal(verification.status, 'unverified');
      assert.equal(verification.details_code, 'failed_keyed_identity');
      assert.ok(verification.details);
      assert.deepEqual(individualIssues(person({ dob: other }), '0000', now).map((issue) => [issue.subject, issue.code]), [['dob', 'verification_failed_keyed_identity']]);
    }
  });

  it('refuses a person under 18 (invalid_dob_age_under_18) and under 13 (invalid_dob_age_under_minimum), as failed_other', () => {
    const seventeen = person({ dob: dob(2006, 6, 16) });
    assert.equal(ageInYears(seventeen.dob as Dob, now), 17);
    assert.deepEqual(individualIssues(seventeen, '0000', now)[0]?.code, 'invalid_dob_age_under_18');
    assert.deepEqual(verifyIndividual(seventeen, '0000', now).details_code, 'failed_other');
    const eighteenToday = person({ dob: dob(2006, 6, 15) });
    assert.equal(ageInYears(eighteenToday.dob as Dob, now), 18);
    assert.equal(individualIssues(eighteenToday, '0000', now).some((issue) => issue.code.startsWith('invalid_dob')), false);
    const child = person({ dob: dob(2015, 1, 1) });
    assert.equal(individualIssues(child, '0000', now)[0]?.code, 'invalid_dob_age_under_minimum');
    assert.equal(verifyIndividual(child, '0000', now).details_code, 'failed_other');
  });

  it('concludes nothing while the name or the date of birth is missing', () => {
    assert.equal(individualReadyForVerification(person()), true);
    assert.equal(individualReadyForVerification(person({ dob: null })), false);
    assert.equal(verificationFailed({ status: 'unverified', details: null, details_code: null }), false);
    assert.equal(verificationFailed(verifyIndividual(person({ dob: dob(1990, 1, 1) }), '0000', now)), true);
    assert.deepEqual(verifyIndividual(person({ dob: null }), '0000', now), { status: 'unverified', details: null, details_code: null });
    assert.deepEqual(verifyIndividual(person({ last_name: ' ' }), '0000', now), { status: 'unverified', details: null, details_code: null });
    // A failure is reported as soon as it shows, even before the rest arrives.
    assert.equal(verifyIndividual(person({ first_name: null }), '111111111', now).details_code, 'failed_keyed_identity');
  });
});

describe('verifyIndividual: Stripe test id numbers and addresses', () => {
  it('verifies 000000000 and the last four 0000, fails 111111111 (identity mismatch), verifies 222222222 immediately', () => {
    assert.equal(verifyIndividual(person(), '000000000', now).status, 'verified');
    assert.equal(verifyIndividual(person(), '000-00-0000', now).status, 'verified');
    assert.equal(verifyIndividual(person(), '0000', now).status, 'verified');
    const mismatch = verifyIndividual(person(), '111111111', now);
    assert.deepEqual([mismatch.status, mismatch.details_code], ['unverified', 'failed_keyed_identity']);
    assert.deepEqual(individualIssues(person(), '111-11-1111', now).map((issue) => issue.subject), ['id_number']);
    assert.equal(verifyIndividual(person(), '222222222', now).status, 'verified');
    assert.equal(individualVerificationIsImmediate(person(), '222222222'), true);
    // Choice: an id number Stripe documents nothing about verifies.
    assert.equal(verifyIndividual(person(), '123456789', now).status, 'verified');
    assert.equal(verifyIndividual(person(), null, now).status, 'verified');
  });

  it('matches address_full_match, fails address_no_match (whole address) and address_line1_no_match (line1)', () => {
    const withLine1 = (line1: string) => person({ address: { ...(person().address as NonNullable<IndividualData['address']>), line1 } });
    assert.equal(verifyIndividual(withLine1('address_full_match'), '0000', now).status, 'verified');
    assert.equal(verifyIndividual(withLine1('1 Main Street'), '0000', now).status, 'verified');
    assert.deepEqual(individualIssues(withLine1('address_no_match'), '0000', now).map((issue) => [issue.subject, issue.code]), [['address', 'verification_failed_address_match']]);
    assert.deepEqual(individualIssues(withLine1(' Address_Line1_No_Match '), '0000', now).map((issue) => [issue.subject, issue.code]), [['address_line1', 'verification_failed_address_match']]);
    assert.equal(verifyIndividual(withLine1('address_no_match'), '0000', now).details_code, 'failed_keyed_identity');
  });

  it('lists every failure in order: age, keyed data, id number', () => {
    const everything = person({ dob: dob(2015, 1, 1), address: { line1: 'address_no_match', line2: null, city: 'X', state: null, postal_code: '1', country: 'GB' } });
    assert.deepEqual(individualIssues(everything, '111111111', now).map((issue) => issue.code), [
      'invalid_dob_age_under_minimum', 'verification_failed_keyed_identity', 'verification_failed_address_match', 'verification_failed_keyed_identity',
    ]);
  });
});

describe('storedIndividualIssues: what the engine reads back without the id number', () => {
  it('asks nothing again while verification is in progress or verified, except the age validations', () => {
    assert.deepEqual(storedIndividualIssues(person({ dob: dob(1990, 1, 1) }), now), []);
    assert.deepEqual(storedIndividualIssues(person({ dob: dob(1990, 1, 1), verification: { status: 'verified', details: null, details_code: null } }), now), []);
    assert.deepEqual(storedIndividualIssues(person({ dob: dob(2015, 1, 1) }), now).map((issue) => issue.code), ['invalid_dob_age_under_minimum']);
  });

  it('re-derives the DOB and address failures, and attributes an unexplained keyed failure to the id number', () => {
    const failed = { status: 'unverified' as const, details: 'x', details_code: 'failed_keyed_identity' };
    assert.deepEqual(storedIndividualIssues(person({ dob: dob(1990, 1, 1), verification: failed }), now).map((issue) => issue.subject), ['dob']);
    assert.deepEqual(storedIndividualIssues(person({ verification: failed }), now).map((issue) => [issue.subject, issue.code]), [['id_number', 'verification_failed_keyed_identity']]);
    // A stored failure of every kind agrees with what verifyIndividual found, except the hidden id number once data explains it.
    fc.assert(fc.property(
      fc.constantFrom(dob(1901, 1, 1), dob(1902, 1, 1), dob(1990, 2, 3), dob(2012, 1, 1)),
      fc.constantFrom('address_full_match', 'address_no_match', 'address_line1_no_match', '5 Rue de Rivoli'),
      fc.constantFrom('0000', '000000000', '111111111', '222222222', '987654321'),
      (birth, line1, idNumber) => {
        const candidate = person({ dob: birth, address: { line1, line2: null, city: 'Paris', state: null, postal_code: '75001', country: 'FR' } });
        const verification = verifyIndividual(candidate, idNumber, now);
        const stored = storedIndividualIssues({ ...candidate, verification }, now);
        const found = individualIssues(candidate, idNumber, now);
        if (verification.status === 'verified') return stored.length === 0 && found.length === 0;
        const withoutId = found.filter((issue) => issue.subject !== 'id_number');
        const expected = withoutId.length > 0 ? withoutId : found;
        return JSON.stringify(stored.map((issue) => issue.code)) === JSON.stringify(expected.map((issue) => issue.code));
      },
    ));
  });
});

describe('verifyCompany: Stripe test tax ids, names and business addresses', () => {
  it('verifies 000000000, 000000001 (non-profit) and 222222222 (immediately); fails 111111111 and 111111112', () => {
    assert.deepEqual(verifyCompany(company(), '000000000'), { status: 'verified', details: null, details_code: null });
    assert.equal(verifyCompany(company(), '000000001').status, 'verified');
    assert.equal(verifyCompany(company(), '222222222').status, 'verified');
    assert.equal(companyVerificationIsImmediate(company(), '222222222'), true);
    assert.equal(companyVerificationIsImmediate(company(), '000000000'), false);
    assert.equal(verifyCompany(company(), '111111111').details_code, 'verification_failed_tax_id_match');
    assert.equal(verifyCompany(company(), '11-1111112').details_code, 'verification_failed_tax_id_not_issued');
    assert.equal(verifyCompany(company(), '12-3456789').status, 'verified');
  });

  it('follows the company name tokens', () => {
    assert.equal(verifyCompany(company({ name: 'match_name_relationships' }), '000000000').status, 'verified');
    assert.equal(verifyCompany(company({ name: 'mismatch_business_name' }), '000000000').details_code, 'verification_failed_name_match');
    assert.equal(verifyCompany(company({ name: 'disallowed_name' }), '000000000').details_code, 'invalid_company_name_denylisted');
    assert.equal(verifyCompany(company({ name: 'match_name_only' }), '000000000').details_code, 'verification_failed_keyed_match');
  });

  it('follows the business address tokens: no_match asks line1 and stops payouts only, line1_no_match asks the address and stops both', () => {
    const withLine1 = (line1: string) => company({ address: { ...(company().address as NonNullable<CompanyData['address']>), line1 } });
    assert.deepEqual(companyIssues(withLine1('address_no_match'), '000000000').map((issue) => [issue.subject, issue.payoutsOnly]), [['address_line1', true]]);
    assert.deepEqual(companyIssues(withLine1('address_line1_no_match'), '000000000').map((issue) => [issue.subject, issue.payoutsOnly]), [['address', false]]);
    assert.equal(verifyCompany(withLine1('address_no_match'), '000000000').details_code, 'verification_failed_address_match');
  });

  it('concludes nothing without a name or a tax id', () => {
    assert.equal(companyReadyForVerification(company()), true);
    assert.equal(companyReadyForVerification(company({ tax_id_provided: false })), false);
    assert.deepEqual(verifyCompany(company({ name: null }), '000000000'), { status: 'unverified', details: null, details_code: null });
    assert.deepEqual(verifyCompany(company(), null), { status: 'unverified', details: null, details_code: null });
  });

  it('reads the tax id failure back from the stored details_code, and the name and address from the data', () => {
    const stored = (data: CompanyData, taxId: string) => storedCompanyIssues({ ...data, verification: verifyCompany(data, taxId) });
    assert.deepEqual(stored(company(), '000000000'), []);
    assert.deepEqual(stored(company(), '111111111').map((issue) => issue.code), ['verification_failed_tax_id_match']);
    assert.deepEqual(stored(company(), '111111112').map((issue) => issue.code), ['verification_failed_tax_id_not_issued']);
    assert.deepEqual(stored(company({ name: 'mismatch_business_name' }), '111111111').map((issue) => issue.code), ['verification_failed_tax_id_match', 'verification_failed_name_match']);
    assert.deepEqual(storedCompanyIssues(company({ verification: { status: 'pending', details: null, details_code: null } })), []);
  });
});

describe('businessProfileIssues: Stripe test URLs, DBA names and product descriptions', () => {
  it('raises each URL token\'s error, and none for accessible.stripe.com or an ordinary URL', () => {
    for (const [url, code] of Object.entries(testBusinessUrls)) {
      assert.deepEqual(businessProfileIssues(profile({ url: `${url}/` })).map((issue) => issue.code), code === null ? [] : [code], url);
    }
    assert.deepEqual(businessProfileIssues(profile()), []);
  });

  it('asks for a URL when the product description says the business sells online', () => {
    assert.deepEqual(businessProfileIssues(profile({ url: null, product_description: 'require_url' })).map((issue) => [issue.subject, issue.code]), [['url', 'invalid_url_web_presence_detected']]);
    assert.deepEqual(businessProfileIssues(profile({ product_description: 'require_url' })), []);
  });

  it('refuses the DBA tokens', () => {
    for (const [name, code] of Object.entries(testBusinessNames)) {
      assert.deepEqual(businessProfileIssues(profile({ name })).map((issue) => [issue.subject, issue.code]), [['business_name', code]]);
    }
  });
});

describe('Stripe codes', () => {
  const spec = JSON.parse(fs.readFileSync(path.resolve(repositoryRoot, '../shared/specs/stripe/spec3.json'), 'utf8')) as {
    components: { schemas: Record<string, { properties: Record<string, { enum?: string[]; description?: string }> }> };
  };

  it('uses only requirement error codes of Stripe\'s enum', () => {
    const codes = new Set(spec.components.schemas.account_requirements_error.properties.code.enum);
    const used = new Set<string>();
    const individuals = [person({ dob: dob(1990, 1, 1) }), person({ dob: dob(2015, 1, 1) }), person({ dob: dob(2007, 1, 1) }), person({ address: { line1: 'address_no_match', line2: null, city: 'a', state: null, postal_code: '1', country: 'US' } })];
    for (const individual of individuals) for (const issue of individualIssues(individual, '111111111', now)) used.add(issue.code);
    for (const name of ['mismatch_business_name', 'disallowed_name', 'match_name_only']) for (const issue of companyIssues(company({ name, address: { line1: 'address_no_match', line2: null, city: 'a', state: null, postal_code: '1', country: 'US' } }), '111111111')) used.add(issue.code);
    for (const issue of companyIssues(company(), '111111112')) used.add(issue.code);
    for (const issue of storedCompanyIssues(company({ verification: { status: 'unverified', details: 'x', details_code: 'something_else' } }))) used.add(issue.code);
    for (const issue of storedIndividualIssues(person({ verification: { status: 'unverified', details: 'x', details_code: 'failed_other' } }), now)) used.add(issue.code);
    for (const url of Object.keys(testBusinessUrls)) for (const issue of businessProfileIssues(profile({ url }))) used.add(issue.code);
    for (const issue of businessProfileIssues(profile({ url: null, product_description: 'require_url' }))) used.add(issue.code);
    for (const name of Object.keys(testBusinessNames)) for (const issue of businessProfileIssues(profile({ name }))) used.add(issue.code);
    assert.ok(used.size >= 20, `only ${used.size} codes exercised`);
    for (const code of used) assert.ok(codes.has(code), `${code} is not one of Stripe's requirement error codes`);
  });

  it('gives persons only details_code values Stripe documents for a person\'s verification', () => {
    const documented = spec.components.schemas.legal_entity_person_verification.properties.details_code.description ?? '';
    for (const individual of [person({ dob: dob(1990, 1, 1) }), person({ dob: dob(2015, 1, 1) })]) {
      const code = verifyIndividual(individual, '0000', now).details_code;
      assert.ok(code !== null && documented.includes(`\`${code}\``), String(code));
    }
  });
});
