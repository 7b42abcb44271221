import type { BusinessProfile, CompanyData, Dob, IndividualData, Verification } from './types.ts';

// Identity and business verification in test mode, as Stripe documents it for Connect: magic dates of birth, id
// numbers, address lines, tax ids, company names and URLs decide the outcome; everything else verifies. Pure: the
// caller decrypts the id number or tax id, runs the check when what it looks at changed (applyConnectFields resets
// the verification to `unverified`), and stores the outcome, at once when `*VerificationIsImmediate` says so,
// otherwise after a delay with `pending` shown meanwhile (Stripe answers those through a webhook).
//
// Sources (read 2024, API 2024-04-10):
//   docs.stripe.com/connect/testing            test DOBs, addresses, personal id numbers, business addresses, tax
//                                               ids, company names, business URLs, DBA names, product descriptions
//   docs.stripe.com/connect/handling-api-verification   error codes and what each asks to collect again
//   spec3.json: account_requirements_error.code (the codes below are all in its enum) and
//               legal_entity_person_verification.details_code (failed_keyed_identity, failed_other, document_*)
//
// Choices where Stripe documents nothing (test mode):
//   - an id number other than the documented ones verifies; so does an ssn_last_4 other than `0000`;
//   - an address line other than the three tokens verifies (Stripe only says city, state and postal code must be
//     real), a company name or URL other than the tokens too;
//   - a DOB other than 1900/1901/1902-01-01 fails keyed identity, as the page says ("any other DOB results in
//     unsuccessful verification");
//   - the OFAC DOB 1900-01-01 leaves the person `pending` (under review; it never concludes in test mode) and the
//     requirements engine disables the account with `listed`;
//   - a person's address that does not match fails keyed identity (Stripe then asks a proof of address document,
//     which Payrail cannot take: the engine asks the address again instead); `address_no_match` asks the whole
//     address, `address_line1_no_match` only line1. For a company's address the business table of the same page is
//     followed as written: `address_no_match` asks line1 again and keeps charges enabled (payouts only are stopped),
//     `address_line1_no_match` asks the whole address again and stops both.

/** The `requirements.errors[].code` values this module produces (all in Stripe's enum). */
export type RequirementErrorCode =
  | 'invalid_dob_age_under_18'
  | 'invalid_dob_age_under_minimum'
  | 'verification_failed_keyed_identity'
  | 'verification_failed_other'
  | 'verification_failed_address_match'
  | 'verification_failed_name_match'
  | 'verification_failed_keyed_match'
  | 'verification_failed_tax_id_match'
  | 'verification_failed_tax_id_not_issued'
  | 'invalid_company_name_denylisted'
  | 'invalid_url_denylisted'
  | 'invalid_url_web_presence_detected'
  | 'invalid_url_website_business_information_mismatch'
  | 'invalid_url_website_inaccessible'
  | 'invalid_url_website_inaccessible_geoblocked'
  | 'invalid_url_website_inaccessible_password_protected'
  | 'invalid_url_website_incomplete'
  | 'invalid_url_website_incomplete_under_construction'
  | 'invalid_url_website_other'
  | 'invalid_business_profile_name'
  | 'invalid_business_profile_name_denylisted';

/**
 * What a failed check is about. The requirements engine turns it into requirement names for the account (which
 * address fields its country uses, whether it is the individual's or the company's).
 * - `dob`: the date of birth (day, month, year);
 * - `address`: every field of the address; `address_line1`: its first line only;
 * - `id_number`: the person's government id number; `tax_id`, `name`: the company's;
 * - `url`, `business_name`: the business profile's URL and doing-business-as name.
 */
export type VerificationSubject = 'dob' | 'address' | 'address_line1' | 'id_number' | 'name' | 'tax_id' | 'url' | 'business_name';

/** One failed check: what must be collected again and Stripe's code and reason for it. */
export interface VerificationIssue {
  subject: VerificationSubject;
  code: RequirementErrorCode;
  reason: string;
  /** Stripe keeps charges enabled and stops payouts only (a company address that does not match). */
  payoutsOnly: boolean;
}

/** Stripe's test dates of birth (docs.stripe.com/connect/testing#test-dobs). */
export const testDobs = {
  /** Verifies (after a delay, like any verification). */
  verified: { year: 1901, month: 1, day: 1 },
  /** Verifies immediately: the outcome is in the response, not in a later webhook. */
  verifiedImmediately: { year: 1902, month: 1, day: 1 },
  /** Raises an OFAC (sanctions list) alert. */
  watchlist: { year: 1900, month: 1, day: 1 },
} as const satisfies Record<string, Dob>;

/** Stripe's test id numbers for `individual.id_number` (and `0000` for `ssn_last_4`). */
export const testIdNumbers = {
  verified: '000000000',
  verifiedLast4: '0000',
  mismatch: '111111111',
  verifiedImmediately: '222222222',
} as const;

/** Stripe's test tax ids for `company.tax_id`. */
export const testTaxIds = {
  verified: '000000000',
  verifiedNonProfit: '000000001',
  mismatch: '111111111',
  notIssued: '111111112',
  verifiedImmediately: '222222222',
} as const;

/** Stripe's test tokens for `address.line1`. */
export const testAddressLines = {
  fullMatch: 'address_full_match',
  noMatch: 'address_no_match',
  line1NoMatch: 'address_line1_no_match',
} as const;

/** Stripe's test tokens for `company.name`. */
export const testCompanyNames = {
  mismatch: 'mismatch_business_name',
  denylisted: 'disallowed_name',
  verified: 'match_name_relationships',
  nameOnly: 'match_name_only',
} as const;

/** Stripe's test `business_profile.url` values and the error each raises (`accessible` validates). */
export const testBusinessUrls: Readonly<Record<string, RequirementErrorCode | null>> = {
  'https://accessible.stripe.com': null,
  'https://disallowed.stripe.com': 'invalid_url_denylisted',
  'https://geoblocked.stripe.com': 'invalid_url_website_inaccessible_geoblocked',
  'https://problem.stripe.com': 'invalid_url_website_other',
  'https://missing.stripe.com': 'invalid_url_website_incomplete',
  'https://mismatch.stripe.com': 'invalid_url_website_business_information_mismatch',
  'https://passwordprotected.stripe.com': 'invalid_url_website_inaccessible_password_protected',
  'https://underconstruction.stripe.com': 'invalid_url_website_incomplete_under_construction',
  'https://inaccessible.stripe.com': 'invalid_url_website_inaccessible',
};

/** Stripe's test `business_profile.name` (doing business as) values and their errors. */
export const testBusinessNames: Readonly<Record<string, RequirementErrorCode>> = {
  disallowed_dba: 'invalid_business_profile_name_denylisted',
  invalid_dba: 'invalid_business_profile_name',
};

/** Stripe's test `business_profile.product_description` that says the business sells online without a URL. */
export const productDescriptionRequiringUrl = 'require_url';

/** The youngest age Stripe accepts at all, and the age a representative must have. */
export const minimumAgeYears = 13;
export const representativeAgeYears = 18;

const person = {
  keyedIdentity: 'The identity information provided could not be verified.',
  underage: 'The person is too young to hold an account.',
  review: 'The person is under review for a possible match on a sanctions list.',
} as const;

function sameDob(dob: Dob, other: Dob): boolean {
  return dob.year === other.year && dob.month === other.month && dob.day === other.day;
}

/** Whether a date of birth is Stripe's OFAC alert DOB (the requirements engine disables such an account as `listed`). */
export function isWatchlistDob(dob: Dob | null): boolean {
  return dob !== null && sameDob(dob, testDobs.watchlist);
}

/** Whole years between a date of birth and `now` (unix seconds), in UTC. */
export function ageInYears(dob: Dob, now: number): number {
  const today = new Date(now * 1000);
  const month = today.getUTCMonth() + 1;
  const beforeBirthday = month < dob.month || (month === dob.month && today.getUTCDate() < dob.day);
  return today.getUTCFullYear() - dob.year - (beforeBirthday ? 1 : 0);
}

function normalized(value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim().toLowerCase();
  return trimmed === '' ? null : trimmed;
}

/** Digits and letters only: `000-00-0000` and `000 000 000` are the same number. */
function normalizedNumber(value: string | null): string | null {
  if (value === null) return null;
  const compact = value.replace(/[\s\-./]/g, '');
  return compact === '' ? null : compact;
}

/** The age checks, which are validations: they hold whatever the verification's progress (Stripe's invalid_dob_*). */
export function ageIssues(dob: Dob | null, now: number): VerificationIssue[] {
  if (dob === null) return [];
  const age = ageInYears(dob, now);
  if (age < minimumAgeYears) return [{ subject: 'dob', code: 'invalid_dob_age_under_minimum', reason: `The person must be at least ${minimumAgeYears} years old.`, payoutsOnly: false }];
  if (age < representativeAgeYears) return [{ subject: 'dob', code: 'invalid_dob_age_under_18', reason: `The person must be at least ${representativeAgeYears} years old.`, payoutsOnly: false }];
  return [];
}

/** The checks of a person's keyed data that need no secret: the DOB and the address. */
function personDataIssues(individual: IndividualData): VerificationIssue[] {
  const issues: VerificationIssue[] = [];
  const dob = individual.dob;
  if (dob !== null && !sameDob(dob, testDobs.verified) && !sameDob(dob, testDobs.verifiedImmediately) && !sameDob(dob, testDobs.watchlist)) {
    issues.push({ subject: 'dob', code: 'verification_failed_keyed_identity', reason: 'The date of birth could not be verified. Correct it, or provide the date of birth of the person the other details belong to.', payoutsOnly: false });
  }
  const line1 = normalized(individual.address?.line1 ?? null);
  if (line1 === testAddressLines.noMatch) {
    issues.push({ subject: 'address', code: 'verification_failed_address_match', reason: 'The address could not be matched to the person. Provide the address where the person lives.', payoutsOnly: false });
  } else if (line1 === testAddressLines.line1NoMatch) {
    issues.push({ subject: 'address_line1', code: 'verification_failed_address_match', reason: 'The street address only partly matched the person. Correct the first line of the address.', payoutsOnly: false });
  }
  return issues;
}

const idNumberMismatch: VerificationIssue = {
  subject: 'id_number',
  code: 'verification_failed_keyed_identity',
  reason: 'The id number does not match the person. Correct it, or provide the id number of the person the other details belong to.',
  payoutsOnly: false,
};

function idNumberIssue(idNumber: string | null): VerificationIssue | null {
  return normalizedNumber(idNumber) === testIdNumbers.mismatch ? idNumberMismatch : null;
}

/**
 * Every check of a person, in the order Stripe's outcome is decided: age first (a validation), then the keyed data
 * (DOB, address), then the id number. `idNumber` is the full id number when one was given, else the SSN's last four
 * digits, else null.
 */
export function individualIssues(individual: IndividualData, idNumber: string | null, now: number): VerificationIssue[] {
  const issues = [...ageIssues(individual.dob, now), ...personDataIssues(individual)];
  const idIssue = idNumberIssue(idNumber);
  if (idIssue !== null) issues.push(idIssue);
  return issues;
}

/** A person can be checked once their name and date of birth are known; before that nothing is concluded. */
export function individualReadyForVerification(individual: IndividualData): boolean {
  return normalized(individual.first_name) !== null && normalized(individual.last_name) !== null && individual.dob !== null;
}

/** A company can be checked once its name and tax id are known. */
export function companyReadyForVerification(company: CompanyData): boolean {
  return normalized(company.name) !== null && company.tax_id_provided;
}

/**
 * The outcome of verifying a person in test mode: `verified`; `unverified` with Stripe's details_code
 * (`failed_keyed_identity`, or `failed_other` for an age below what Stripe accepts) when a check failed;
 * `pending` for the OFAC DOB (under review); `unverified` without a code while the name or DOB is still missing.
 */
export function verifyIndividual(individual: IndividualData, idNumber: string | null, now: number): Verification {
  const issues = individualIssues(individual, idNumber, now);
  const first = issues[0];
  if (first !== undefined) {
    const age = first.code === 'invalid_dob_age_under_18' || first.code === 'invalid_dob_age_under_minimum';
    return age
      ? { status: 'unverified', details: person.underage, details_code: 'failed_other' }
      : { status: 'unverified', details: person.keyedIdentity, details_code: 'failed_keyed_identity' };
  }
  if (isWatchlistDob(individual.dob)) return { status: 'pending', details: person.review, details_code: null };
  if (!individualReadyForVerification(individual)) return { status: 'unverified', details: null, details_code: null };
  return { status: 'verified', details: null, details_code: null };
}

/** Whether Stripe answers this person's verification in the response itself (1902-01-01, or id 222222222). */
export function individualVerificationIsImmediate(individual: IndividualData, idNumber: string | null): boolean {
  return (individual.dob !== null && sameDob(individual.dob, testDobs.verifiedImmediately)) || normalizedNumber(idNumber) === testIdNumbers.verifiedImmediately;
}

/** Whether a stored verification is a concluded failure (as opposed to not yet checked, pending or verified). */
export function verificationFailed(verification: Verification): boolean {
  return verification.status === 'unverified' && verification.details_code !== null;
}

/**
 * What a person's stored verification says must be collected again, for the requirements engine, which has no id
 * number in clear. The age validations always apply; after a failed verification, the DOB and address checks are
 * run again on the stored data (which is what was verified: an update resets the verification) and a failure they
 * do not explain was the id number's.
 */
export function storedIndividualIssues(individual: IndividualData, now: number): VerificationIssue[] {
  const issues = ageIssues(individual.dob, now);
  if (!verificationFailed(individual.verification)) return issues;
  const keyed = personDataIssues(individual);
  issues.push(...keyed);
  if (issues.length === 0) {
    issues.push(individual.verification.details_code === 'failed_keyed_identity'
      ? idNumberMismatch
      : { subject: 'dob', code: 'verification_failed_other', reason: 'The person could not be verified. Provide the date of birth again.', payoutsOnly: false });
  }
  return issues;
}

const taxIdMismatch: VerificationIssue = {
  subject: 'tax_id', code: 'verification_failed_tax_id_match', reason: 'The tax id does not match the company name. Correct the name or the tax id.', payoutsOnly: false,
};
const taxIdNotIssued: VerificationIssue = {
  subject: 'tax_id', code: 'verification_failed_tax_id_not_issued', reason: 'This tax id was never issued. Correct the tax id.', payoutsOnly: false,
};

function taxIdIssue(taxId: string | null): VerificationIssue | null {
  const number = normalizedNumber(taxId);
  if (number === testTaxIds.mismatch) return taxIdMismatch;
  if (number === testTaxIds.notIssued) return taxIdNotIssued;
  return null;
}

/** The checks of a company's data that need no secret: its name and its address. */
function companyDataIssues(company: CompanyData): VerificationIssue[] {
  const issues: VerificationIssue[] = [];
  const name = normalized(company.name);
  if (name === testCompanyNames.mismatch) {
    issues.push({ subject: 'name', code: 'verification_failed_name_match', reason: 'The company name does not match the registered name. Correct the legal name of the company.', payoutsOnly: false });
  } else if (name === testCompanyNames.denylisted) {
    issues.push({ subject: 'name', code: 'invalid_company_name_denylisted', reason: 'Generic or well-known names are not accepted. Provide the legal name of the company.', payoutsOnly: false });
  } else if (name === testCompanyNames.nameOnly) {
    issues.push({ subject: 'name', code: 'verification_failed_keyed_match', reason: 'The company name matched, but not the rest of what was provided about the company. Check the company details.', payoutsOnly: false });
  }
  const line1 = normalized(company.address?.line1 ?? null);
  if (line1 === testAddressLines.noMatch) {
    issues.push({ subject: 'address_line1', code: 'verification_failed_address_match', reason: 'The street address of the company could not be validated. Correct the first line of the address.', payoutsOnly: true });
  } else if (line1 === testAddressLines.line1NoMatch) {
    issues.push({ subject: 'address', code: 'verification_failed_address_match', reason: 'The address of the company could not be validated. Provide the address again.', payoutsOnly: false });
  }
  return issues;
}

/** Every check of a company, the tax id first (its failure names the verification's details_code). */
export function companyIssues(company: CompanyData, taxId: string | null): VerificationIssue[] {
  const issue = taxIdIssue(taxId);
  return [...(issue === null ? [] : [issue]), ...companyDataIssues(company)];
}

/**
 * The outcome of verifying a company in test mode: `verified` once its name and tax id are known and pass;
 * `unverified` with the first failure's requirement error code as details_code (Stripe's company.verification
 * shows only a document, so this code is Payrail's record of the outcome, for the engine, not for rendering);
 * `unverified` without a code while the name or tax id is missing.
 */
export function verifyCompany(company: CompanyData, taxId: string | null): Verification {
  const first = companyIssues(company, taxId)[0];
  if (first !== undefined) return { status: 'unverified', details: first.reason, details_code: first.code };
  if (normalized(company.name) === null || normalizedNumber(taxId) === null) return { status: 'unverified', details: null, details_code: null };
  return { status: 'verified', details: null, details_code: null };
}

/** Whether Stripe answers this company's verification in the response itself (tax id 222222222). */
export function companyVerificationIsImmediate(_company: CompanyData, taxId: string | null): boolean {
  return normalizedNumber(taxId) === testTaxIds.verifiedImmediately;
}

/**
 * What a company's stored verification says must be collected again: after a failed verification, the name and
 * address checks run again on the stored data, and the tax id's failure is read from the details_code.
 */
export function storedCompanyIssues(company: CompanyData): VerificationIssue[] {
  if (!verificationFailed(company.verification)) return [];
  const code = company.verification.details_code;
  const issues: VerificationIssue[] = [];
  if (code === taxIdMismatch.code) issues.push(taxIdMismatch);
  if (code === taxIdNotIssued.code) issues.push(taxIdNotIssued);
  issues.push(...companyDataIssues(company));
  if (issues.length === 0) {
    issues.push({ subject: 'tax_id', code: 'verification_failed_keyed_match', reason: 'The company could not be verified. Check the company name and tax id.', payoutsOnly: false });
  }
  return issues;
}

function normalizedUrl(url: string | null): string | null {
  const value = normalized(url);
  return value === null ? null : value.replace(/\/+$/, '');
}

/**
 * Stripe's checks of the business profile in test mode (URL, doing-business-as name, a product description that
 * reveals a web presence). They are validations of what is stored, so they hold from the moment it is stored.
 */
export function businessProfileIssues(profile: BusinessProfile): VerificationIssue[] {
  const issues: VerificationIssue[] = [];
  const url = normalizedUrl(profile.url);
  const urlCode = url === null ? null : testBusinessUrls[url] ?? null;
  if (urlCode !== null) {
    issues.push({ subject: 'url', code: urlCode, reason: 'The business website could not be verified. Provide a working URL of the business\'s own website.', payoutsOnly: false });
  }
  if (url === null && normalized(profile.product_description) === productDescriptionRequiringUrl) {
    issues.push({ subject: 'url', code: 'invalid_url_web_presence_detected', reason: 'The business sells or promotes online, so its website URL is needed.', payoutsOnly: false });
  }
  const dbaCode = testBusinessNames[normalized(profile.name) ?? ''];
  if (dbaCode !== undefined) {
    issues.push({ subject: 'business_name', code: dbaCode, reason: 'This business name cannot be used. Provide a name customers recognise as this business.', payoutsOnly: false });
  }
  return issues;
}
