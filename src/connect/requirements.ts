import { assert } from '../platform/errors.ts';
import { isProvided, companyVerifiedFields, individualVerifiedFields, urlAlternative, type ProvidedContext, type RequirementField } from './requirement-fields.ts';
import { isCompanyLike, requirementsOfCountry, rulesFor, type FieldRule, type Need } from './requirements-table.ts';
import { capabilityNames, type AccountEvaluation, type AccountFacts, type CapabilityName, type CapabilityState, type RequirementError, type Requirements, type Verification } from './types.ts';
import {
  businessProfileIssues, companyReadyForVerification, individualReadyForVerification, isWatchlistDob, storedCompanyIssues, storedIndividualIssues, type VerificationIssue,
} from './verification.ts';

// The requirements engine: from what a connected account holds (and its country, bank account and the clock) to
// what Stripe derives: requirements, capability statuses, charges_enabled, payouts_enabled, details_submitted.
// Pure and deterministic; requirements-table.ts says which fields each capability needs, verification.ts what the
// stored verification outcomes ask to collect again.
//
// The rules, following docs.stripe.com/connect/handling-api-verification and /connect/account-capabilities:
// - A field the table asks now and the account has not provided is currently due; one asked only after Stripe's
//   thresholds is eventually due (eventually_due always contains currently_due). A field whose verification failed
//   is currently due again, with an entry in `errors` (Stripe's code and a reason).
// - Every currently due field keeps something off (a capability, or payouts), and Payrail has no volume thresholds
//   that would give a grace period, so past_due is currently_due and current_deadline is null: Stripe shows a new
//   API-onboarded account the same way (its fields past due at once, disabled_reason requirements.past_due).
// - A field being verified is in pending_verification: the person's or company's verification is `pending`, or
//   `unverified` without a failure while everything it checks is there (submitted, not yet started by the caller).
// - A capability is `unrequested` when not requested; `inactive` while a field it needs is due, or the account is
//   rejected or listed; `pending` while only verification remains; `active` otherwise.
// - charges_enabled is card_payments active. payouts_enabled needs the capability money arrives through (transfers
//   when requested, else card_payments) active, an external account, and no payouts field due (a company address
//   that failed validation stops payouts only, as Stripe's test addresses show).
// - details_submitted: the onboarding form is complete once a capability is requested, the business type is known
//   and nothing is currently due except what Stripe's form collects after the details (external_account, the
//   terms acceptance). Once true it stays true, as Stripe's does: a later failure asks for fields again but does
//   not undo the submission.
// - A person with Stripe's OFAC test DOB is screened as listed on submission: disabled_reason `listed`, every
//   requested capability inactive, charges and payouts disabled, until the DOB changes.
// - A rejected account (rejected_reason) has every requested capability inactive, charges and payouts disabled,
//   disabled_reason rejected.<reason> and nothing to collect: no field can reverse a rejection.

/** Fields whose absence does not keep details_submitted false (collected after the business details). */
const collectedAfterDetails: ReadonlySet<string> = new Set(['external_account', 'tos_acceptance.date', 'tos_acceptance.ip']);

/** The engine's conclusion with the reasons behind it, for tests and for callers that explain an account's state. */
export interface RequirementsAssessment {
  evaluation: AccountEvaluation;
  /** For each capability and for payouts, the currently due fields that keep it off. */
  blocking: Record<Need, string[]>;
  /** For each capability, the fields still being verified. */
  pending: Record<CapabilityName, string[]>;
  /** The account is disabled as `listed` (the person's DOB raised a sanctions-list alert). */
  listed: boolean;
}

/** The capabilities the account has requested, in capabilityNames order. */
function requestedCapabilities(facts: AccountFacts): CapabilityName[] {
  return capabilityNames.filter((name) => facts.account.capabilities[name].requested);
}

/**
 * A verification still to conclude: in progress, or not yet started though everything it checks is there (the
 * caller starts it; until it concludes, the fields count as being verified, never as verified).
 */
function inProgress(verification: Verification, ready: boolean): boolean {
  return verification.status === 'pending' || (verification.status === 'unverified' && verification.details_code === null && ready);
}

/** Whose data an issue is about: the person's, the company's, or the business profile's. */
type Holder = 'individual' | 'company' | 'business_profile';

function issueFields(issue: VerificationIssue, holder: Holder, addressState: boolean): RequirementField[] {
  switch (issue.subject) {
    case 'dob':
      return ['individual.dob.day', 'individual.dob.month', 'individual.dob.year'];
    case 'address': {
      assert(holder !== 'business_profile', 'an address issue is about a person or a company');
      const fields: RequirementField[] = [`${holder}.address.line1`, `${holder}.address.city`, `${holder}.address.postal_code`];
      if (addressState) fields.push(`${holder}.address.state`);
      return fields;
    }
    case 'address_line1':
      assert(holder !== 'business_profile', 'an address issue is about a person or a company');
      return [`${holder}.address.line1`];
    case 'id_number':
      return ['individual.id_number'];
    case 'name':
      return ['company.name'];
    case 'tax_id':
      return ['company.tax_id'];
    case 'url':
      return ['business_profile.url'];
    case 'business_name':
      return ['business_profile.name'];
  }
}

interface DueEntry {
  field: RequirementField;
  needs: readonly Need[];
  error: RequirementError;
}

/**
 * The fields failed checks ask again, each with its error. US persons verified from ssn_last_4 alone are asked the
 * full SSN when keyed identity fails (Stripe's next step before a document).
 */
function failedChecks(facts: AccountFacts, rulesByField: ReadonlyMap<RequirementField, FieldRule>, requested: readonly Need[]): DueEntry[] {
  const { account } = facts;
  const country = facts.country.toUpperCase();
  const addressState = requirementsOfCountry(country).addressState;
  const found: { issue: VerificationIssue; holder: Holder }[] = businessProfileIssues(account.business_profile).map((issue) => ({ issue, holder: 'business_profile' as const }));
  const businessType = account.business_type;
  if (businessType === 'individual' && account.individual !== null) {
    const issues = storedIndividualIssues(account.individual, facts.now);
    found.push(...issues.map((issue) => ({ issue, holder: 'individual' as const })));
    const keyedIdentityFailed = issues.some((issue) => issue.code === 'verification_failed_keyed_identity');
    const idNumberAsked = issues.some((issue) => issue.subject === 'id_number');
    if (country === 'US' && keyedIdentityFailed && !idNumberAsked && !account.individual.id_number_provided) {
      found.push({
        holder: 'individual',
        issue: { subject: 'id_number', code: 'verification_failed_keyed_identity', reason: 'The person could not be verified with the last four digits of the SSN. Provide the full SSN.', payoutsOnly: false },
      });
    }
  }
  if (businessType !== null && isCompanyLike(businessType) && account.company !== null) {
    found.push(...storedCompanyIssues(account.company).map((issue) => ({ issue, holder: 'company' as const })));
  }
  return found.flatMap(({ issue, holder }) => issueFields(issue, holder, addressState).map((field) => ({
    field,
    needs: issue.payoutsOnly ? ['payouts'] : rulesByField.get(field)?.needs ?? requested,
    error: { code: issue.code, reason: issue.reason, requirement: field },
  })));
}

/** The fields under verification, with what each holds back, when the person's or company's check is in progress. */
function fieldsBeingVerified(facts: AccountFacts, rules: readonly FieldRule[], due: ReadonlyMap<string, unknown>, context: ProvidedContext): Map<RequirementField, readonly Need[]> {
  const { account } = facts;
  const pending = new Map<RequirementField, readonly Need[]>();
  const businessType = account.business_type;
  const checked: ReadonlySet<RequirementField>[] = [];
  const person = account.individual;
  const company = account.company;
  if (businessType === 'individual' && person !== null && inProgress(person.verification, individualReadyForVerification(person))) checked.push(individualVerifiedFields);
  if (businessType !== null && isCompanyLike(businessType) && company !== null && inProgress(company.verification, companyReadyForVerification(company))) checked.push(companyVerifiedFields);
  for (const rule of rules) {
    if (!checked.some((fields) => fields.has(rule.field))) continue;
    if (due.has(rule.field) || !isProvided[rule.field](context)) continue;
    pending.set(rule.field, rule.needs);
  }
  return pending;
}

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function emptyRequirements(disabledReason: string | null): Requirements {
  return { alternatives: [], current_deadline: null, currently_due: [], disabled_reason: disabledReason, errors: [], eventually_due: [], past_due: [], pending_verification: [] };
}

/** The full assessment: the evaluation and, per capability and for payouts, why. */
export function assessAccount(facts: AccountFacts): RequirementsAssessment {
  const { account } = facts;
  const requested = requestedCapabilities(facts);
  const context: ProvidedContext = { account, hasExternalAccount: facts.hasExternalAccount };
  // Nothing requested, nothing to enable: Stripe asks for capabilities before anything else.
  const rules = requested.length === 0 ? [] : rulesFor(facts.country, account.business_type).filter((rule) => rule.needs.some((need) => need === 'payouts' || requested.includes(need)));
  const rulesByField = new Map(rules.map((rule) => [rule.field, rule]));

  const due = new Map<string, Set<Need>>();
  const markDue = (field: string, needs: readonly Need[]) => {
    const entry = due.get(field) ?? new Set<Need>();
    for (const need of needs) entry.add(need);
    due.set(field, entry);
  };
  const eventuallyOnly = new Set<string>();
  for (const rule of rules) {
    if (isProvided[rule.field](context)) continue;
    if (rule.timing === 'now') markDue(rule.field, rule.needs);
    else eventuallyOnly.add(rule.field);
  }
  // A company's persons (the Persons API): what is due for each is due for the account, holding back what it requests.
  if (requested.length > 0 && account.business_type !== null && isCompanyLike(account.business_type)) {
    for (const person of facts.personsDue ?? []) {
      for (const field of person.currently_due) markDue(`${person.id}.${field}`, requested);
      for (const field of person.eventually_due) if (!person.currently_due.includes(field)) eventuallyOnly.add(`${person.id}.${field}`);
    }
  }
  const errors: RequirementError[] = [];
  if (requested.length > 0) {
    for (const entry of failedChecks(facts, rulesByField, requested)) {
      markDue(entry.field, entry.needs);
      errors.push(entry.error);
    }
  }
  const pending = fieldsBeingVerified(facts, rules, due, context);

  const currentlyDue = sorted(due.keys());
  const listed = account.business_type === 'individual' && isWatchlistDob(account.individual?.dob ?? null);
  const rejected = account.rejected_reason !== null;
  const blockingFor = (need: Need) => currentlyDue.filter((field) => due.get(field)?.has(need) === true);
  const pendingFor = (name: CapabilityName) => sorted([...pending].filter(([, needs]) => needs.includes(name)).map(([field]) => field));

  const capabilities = {} as Record<CapabilityName, CapabilityState>;
  for (const name of capabilityNames) {
    const state = account.capabilities[name];
    if (!state.requested) {
      capabilities[name] = { requested: false, requested_at: state.requested_at, status: 'unrequested' };
      continue;
    }
    const status = rejected || listed || blockingFor(name).length > 0 ? 'inactive' : pendingFor(name).length > 0 ? 'pending' : 'active';
    capabilities[name] = { requested: true, requested_at: state.requested_at, status };
  }

  const payoutsThrough: CapabilityName | null = requested.includes('transfers') ? 'transfers' : requested.includes('card_payments') ? 'card_payments' : null;
  const chargesEnabled = capabilities.card_payments.status === 'active';
  const payoutsEnabled = payoutsThrough !== null && capabilities[payoutsThrough].status === 'active' && facts.hasExternalAccount && blockingFor('payouts').length === 0;
  const detailsSubmitted = account.details_submitted
    || (requested.length > 0 && account.business_type !== null && currentlyDue.every((field) => collectedAfterDetails.has(field)));

  const pendingVerification = sorted(pending.keys());
  let requirements: Requirements;
  if (rejected) {
    requirements = emptyRequirements(`rejected.${account.rejected_reason}`);
  } else {
    const disabledReason = listed ? 'listed'
      : requested.length === 0 ? 'action_required.requested_capabilities'
      : currentlyDue.length > 0 ? 'requirements.past_due'
      : pendingVerification.length > 0 ? 'requirements.pending_verification'
      : null;
    const urlMissing = due.has('business_profile.url') && !isProvided['business_profile.url'](context);
    requirements = {
      alternatives: urlMissing ? [{ alternative_fields_due: [urlAlternative], original_fields_due: ['business_profile.url'] }] : [],
      current_deadline: null,
      currently_due: currentlyDue,
      disabled_reason: disabledReason,
      errors: [...new Map(errors.map((error) => [`${error.requirement}\u0000${error.code}`, error])).values()]
        .sort((a, b) => (a.requirement === b.requirement ? a.code.localeCompare(b.code) : a.requirement < b.requirement ? -1 : 1)),
      eventually_due: sorted([...currentlyDue, ...eventuallyOnly]),
      past_due: [...currentlyDue],
      pending_verification: pendingVerification,
    };
  }

  return {
    evaluation: {
      capabilities,
      requirements,
      // Payrail announces no future requirement changes: nothing is scheduled to change.
      future_requirements: emptyRequirements(null),
      charges_enabled: chargesEnabled,
      payouts_enabled: payoutsEnabled,
      details_submitted: detailsSubmitted,
    },
    blocking: { card_payments: blockingFor('card_payments'), transfers: blockingFor('transfers'), payouts: blockingFor('payouts') },
    pending: { card_payments: pendingFor('card_payments'), transfers: pendingFor('transfers') },
    listed,
  };
}

/**
 * What Stripe would show for this connected account: its requirements (and future_requirements), the status of
 * each capability, and whether it can take charges, receive payouts, and has submitted its details.
 */
export function evaluateAccount(facts: AccountFacts): AccountEvaluation {
  return assessAccount(facts).evaluation;
}
