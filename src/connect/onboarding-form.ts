import { validateBankAccount } from '../external-accounts/validation.ts';
import { ApiError } from '../platform/errors.ts';
import type { UpdateConnectedAccountInput } from './accounts.ts';
import { onboardingMccs, type OnboardingTexts } from './onboarding-text-shape.ts';
import { businessTypes, type BusinessType, type ConnectedAccountRow } from './types.ts';

// The hosted onboarding page's form, without HTTP: which inputs the requirements call for, and what a posted form
// means as the input of updateConnectedAccount (the API's own service), or which inputs are wrong and why, in the
// page's language. The form's names are the API's parameters in Stripe's bracket notation (`individual[first_name]`),
// so an API error's `param` names the input it belongs to.

/** The page's inputs (a group such as the date of birth or an address counts as one). */
export type OnboardingInput =
  | 'business_type' | 'mcc' | 'url' | 'business_name'
  | 'first_name' | 'last_name' | 'email' | 'phone' | 'dob' | 'address' | 'state' | 'ssn' | 'id_number'
  | 'company_name' | 'company_phone' | 'tax_id' | 'company_address' | 'company_state' | 'owners_provided' | 'directors_provided' | 'executives_provided'
  | 'bank' | 'terms';

/** Which input collects each requirement field (requirement-fields.ts). */
const inputOfField: Readonly<Record<string, OnboardingInput>> = {
  business_type: 'business_type', 'business_profile.mcc': 'mcc', 'business_profile.url': 'url', 'business_profile.name': 'business_name',
  'individual.first_name': 'first_name', 'individual.last_name': 'last_name', 'individual.email': 'email', 'individual.phone': 'phone',
  'individual.dob.day': 'dob', 'individual.dob.month': 'dob', 'individual.dob.year': 'dob',
  'individual.address.line1': 'address', 'individual.address.city': 'address', 'individual.address.postal_code': 'address', 'individual.address.state': 'state',
  'individual.id_number': 'id_number', 'individual.ssn_last_4': 'ssn',
  'company.name': 'company_name', 'company.phone': 'company_phone', 'company.tax_id': 'tax_id',
  'company.address.line1': 'company_address', 'company.address.city': 'company_address', 'company.address.postal_code': 'company_address', 'company.address.state': 'company_state',
  'company.owners_provided': 'owners_provided', 'company.directors_provided': 'directors_provided', 'company.executives_provided': 'executives_provided',
  external_account: 'bank', 'tos_acceptance.date': 'terms', 'tos_acceptance.ip': 'terms',
};

/** What the page shows: the inputs, and those of them that must be filled (the others may stay as they are). */
export interface OnboardingPlan {
  shown: Set<OnboardingInput>;
  required: Set<OnboardingInput>;
  /** The account's country (ISO code): addresses are in it, and it decides the bank and id number inputs. */
  country: string;
}

/**
 * The inputs of the next step for these requirement fields (`shown`: what the link collects; `due`: what is still
 * missing). A business type still to choose is a step of its own: what else is due depends on it. A state input
 * implies its address, the full id number makes the SSN's last four unnecessary.
 */
export function onboardingPlan(account: ConnectedAccountRow, country: string, shownFields: readonly string[], dueFields: readonly string[]): OnboardingPlan {
  const inputsOf = (fields: readonly string[]) => {
    const inputs = new Set<OnboardingInput>();
    for (const field of fields) {
      const input = inputOfField[field];
      if (input) inputs.add(input);
    }
    if (inputs.has('state')) inputs.add('address');
    if (inputs.has('company_state')) inputs.add('company_address');
    if (inputs.has('id_number')) inputs.delete('ssn');
    return inputs;
  };
  const shown = inputsOf(shownFields);
  const required = inputsOf(dueFields);
  if (account.business_type === null && (shown.has('business_type') || required.has('business_type'))) {
    return { shown: new Set(['business_type']), required: new Set(['business_type']), country };
  }
  for (const input of required) shown.add(input);
  return { shown, required, country };
}

/** An input's error, by the input's form name (`individual[dob]` for the date of birth group). */
export interface OnboardingFieldError {
  field: string;
  message: string;
}

/** The form names of each input (the first is where its error shows). */
export const formNames: Readonly<Record<OnboardingInput, readonly string[]>> = {
  business_type: ['business_type'],
  mcc: ['business_profile[mcc]'],
  url: ['business_profile[url]', 'business_profile[product_description]'],
  business_name: ['business_profile[name]'],
  first_name: ['individual[first_name]'], last_name: ['individual[last_name]'], email: ['individual[email]'], phone: ['individual[phone]'],
  dob: ['individual[dob]'],
  address: ['individual[address][line1]', 'individual[address][line2]', 'individual[address][city]', 'individual[address][postal_code]'],
  state: ['individual[address][state]'],
  ssn: ['individual[id_number]'], id_number: ['individual[id_number]'],
  company_name: ['company[name]'], company_phone: ['company[phone]'], tax_id: ['company[tax_id]'],
  company_address: ['company[address][line1]', 'company[address][line2]', 'company[address][city]', 'company[address][postal_code]'],
  company_state: ['company[address][state]'],
  owners_provided: ['company[owners_provided]'], directors_provided: ['company[directors_provided]'], executives_provided: ['company[executives_provided]'],
  bank: ['external_account[routing_number]', 'external_account[account_number]'],
  terms: ['tos_acceptance[accepted]'],
};

/** Form names whose values are never written back into a page (nor logged): identity and account numbers. */
export const secretFormNames: ReadonlySet<string> = new Set(['individual[id_number]', 'company[tax_id]', 'external_account[account_number]']);

/** A value of the posted (bracket-parsed) form by its form name, trimmed; undefined when absent or not text. */
export function formValue(raw: Record<string, unknown>, name: string): string | undefined {
  let value: unknown = raw;
  for (const segment of name.replace(/\]/g, '').split('[')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return typeof value === 'string' ? value.trim() : undefined;
}

/** Longest value the page takes in any text input (the API's own limits are checked after). */
const valueLengthMax = 5000;

/**
 * Reads a posted form against its plan: the input of updateConnectedAccount (only what was filled in), or the errors
 * of each wrong input. The terms acceptance itself (date, IP, browser) is the caller's to add.
 */
export function readOnboardingForm(raw: Record<string, unknown>, plan: OnboardingPlan, t: OnboardingTexts, now: Date): { input: UpdateConnectedAccountInput; termsAccepted: boolean } | { errors: OnboardingFieldError[] } {
  const errors: OnboardingFieldError[] = [];
  const fail = (field: string, message: string) => {
    if (!errors.some((error) => error.field === field)) errors.push({ field, message });
  };
  const value = (name: string) => {
    const text = formValue(raw, name);
    if (text !== undefined && text.length > valueLengthMax) {
      fail(name, t.errors.tooLong);
      return undefined;
    }
    return text === '' ? undefined : text;
  };
  const has = (input: OnboardingInput) => plan.shown.has(input);
  const needed = (input: OnboardingInput) => plan.required.has(input);
  /** A text input: its value, or an error when it is required and empty. */
  const text = (input: OnboardingInput, name = formNames[input][0]) => {
    if (!has(input)) return undefined;
    const given = value(name);
    if (given === undefined && needed(input)) fail(name, t.errors.required);
    return given;
  };
  const input: UpdateConnectedAccountInput = {};
  const us = plan.country === 'US';

  if (has('business_type')) {
    const chosen = value('business_type');
    if (chosen === undefined) fail('business_type', t.errors.required);
    else if (!(businessTypes as readonly string[]).includes(chosen)) fail('business_type', t.errors.choose);
    else input.business_type = chosen as BusinessType;
  }

  const profile: NonNullable<UpdateConnectedAccountInput['business_profile']> = {};
  const mcc = text('mcc');
  if (mcc !== undefined) {
    if ((onboardingMccs as readonly string[]).includes(mcc)) profile.mcc = mcc;
    else fail('business_profile[mcc]', t.errors.choose);
  }
  if (has('url')) {
    const url = value('business_profile[url]');
    const description = value('business_profile[product_description]');
    if (url !== undefined) {
      // People type "example.com": Stripe's form takes it as https.
      const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `https://${url}`;
      let parsed: URL | undefined;
      try {
        parsed = new URL(withScheme);
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname.includes('.')) fail('business_profile[url]', t.errors.url);
      else profile.url = withScheme;
    }
    if (description !== undefined) profile.product_description = description;
    if (url === undefined && description === undefined && needed('url')) fail('business_profile[url]', t.errors.urlOrDescription);
  }
  const name = text('business_name');
  if (name !== undefined) profile.name = name;
  if (Object.keys(profile).length > 0) input.business_profile = profile;

  const phoneOf = (field: string, given: string | undefined) => {
    if (given === undefined) return undefined;
    if (!/^\+?[0-9 ()./-]{6,30}$/.test(given) || given.replace(/\D/g, '').length < 7) {
      fail(field, t.errors.phone);
      return undefined;
    }
    return given;
  };
  const addressOf = (holder: 'individual' | 'company', main: OnboardingInput, state: OnboardingInput) => {
    if (!has(main)) return undefined;
    const prefix = `${holder}[address]`;
    const address: Record<string, string> = {};
    for (const part of ['line1', 'city', 'postal_code'] as const) {
      const given = text(main, `${prefix}[${part}]`);
      if (given !== undefined) address[part] = given;
    }
    const line2 = value(`${prefix}[line2]`);
    if (line2 !== undefined) address.line2 = line2;
    const region = text(state, `${prefix}[state]`);
    if (region !== undefined) address.state = us ? region.toUpperCase() : region;
    if (address.postal_code !== undefined && us && !/^\d{5}(-\d{4})?$/.test(address.postal_code)) fail(`${prefix}[postal_code]`, t.errors.postalCode);
    if (Object.keys(address).length === 0) return undefined;
    return { ...address, country: plan.country };
  };

  const individual: NonNullable<UpdateConnectedAccountInput['individual']> = {};
  for (const [key, field] of [['first_name', 'first_name'], ['last_name', 'last_name']] as const) {
    const given = text(key);
    if (given !== undefined) individual[field] = given;
  }
  const email = text('email');
  if (email !== undefined) {
    if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && email.length <= 512) individual.email = email;
    else fail('individual[email]', t.errors.email);
  }
  const phone = phoneOf('individual[phone]', text('phone'));
  if (phone !== undefined) individual.phone = phone;
  if (has('dob')) {
    const parts = ['day', 'month', 'year'].map((part) => value(`individual[dob][${part}]`));
    if (parts.every((part) => part === undefined)) {
      if (needed('dob')) fail('individual[dob]', t.errors.required);
    } else {
      const [day, month, year] = parts.map((part) => (part !== undefined && /^\d{1,4}$/.test(part) ? Number(part) : NaN));
      const date = new Date(Date.UTC(year, month - 1, day));
      if (!Number.isInteger(day) || !Number.isInteger(month) || !Number.isInteger(year) || year < 1900 || date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) {
        fail('individual[dob]', t.errors.dob);
      } else if (date.getTime() > now.getTime()) {
        fail('individual[dob]', t.errors.dobFuture);
      } else {
        individual.dob = { day, month, year };
      }
    }
  }
  const address = addressOf('individual', 'address', 'state');
  if (address) individual.address = address;
  if (has('ssn') || has('id_number')) {
    const given = text(has('id_number') ? 'id_number' : 'ssn', 'individual[id_number]');
    if (given !== undefined) {
      const compact = given.replace(/[\s-]/g, '');
      if (us) {
        if (/^\d{9}$/.test(compact)) individual.id_number = compact;
        else if (/^\d{4}$/.test(compact) && !has('id_number')) individual.ssn_last_4 = compact;
        else fail('individual[id_number]', t.errors.ssn);
      } else if (/^[0-9A-Za-z]{1,40}$/.test(compact)) {
        individual.id_number = compact;
      } else {
        fail('individual[id_number]', t.errors.idNumber);
      }
    }
  }
  if (Object.keys(individual).length > 0) input.individual = individual;

  const company: NonNullable<UpdateConnectedAccountInput['company']> = {};
  const companyName = text('company_name');
  if (companyName !== undefined) company.name = companyName;
  const companyPhone = phoneOf('company[phone]', text('company_phone'));
  if (companyPhone !== undefined) company.phone = companyPhone;
  const taxId = text('tax_id');
  if (taxId !== undefined) {
    const compact = taxId.replace(/[\s-]/g, '');
    if (/^[0-9A-Za-z]{1,40}$/.test(compact)) company.tax_id = compact;
    else fail('company[tax_id]', t.errors.idNumber);
  }
  const companyAddress = addressOf('company', 'company_address', 'company_state');
  if (companyAddress) company.address = companyAddress;
  for (const key of ['owners_provided', 'directors_provided', 'executives_provided'] as const) {
    if (!has(key)) continue;
    const checked = value(`company[${key}]`) === 'true';
    if (checked) company[key] = true;
    else if (needed(key)) fail(`company[${key}]`, t.errors.required);
  }
  if (Object.keys(company).length > 0) input.company = company;

  if (has('bank')) {
    const accountNumber = value('external_account[account_number]');
    const routingNumber = us ? value('external_account[routing_number]') : undefined;
    if (accountNumber === undefined && routingNumber === undefined) {
      if (needed('bank')) {
        if (us) fail('external_account[routing_number]', t.errors.required);
        fail('external_account[account_number]', t.errors.required);
      }
    } else {
      const details = { object: 'bank_account' as const, country: plan.country, account_number: accountNumber ?? '', ...(us ? { routing_number: routingNumber } : {}) };
      try {
        validateBankAccount(details);
        input.external_account = details;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const field = error.param === 'external_account[routing_number]' ? 'external_account[routing_number]' : 'external_account[account_number]';
        const missing = error.code === 'parameter_missing' || (field === 'external_account[account_number]' && accountNumber === undefined);
        fail(field, missing ? t.errors.required : field === 'external_account[routing_number]' ? t.errors.routingNumber : us ? t.errors.accountNumber : t.errors.iban);
      }
    }
  }

  const termsAccepted = has('terms') && value('tos_acceptance[accepted]') === 'true';
  if (has('terms') && needed('terms') && !termsAccepted) fail('tos_acceptance[accepted]', t.errors.terms);
  return errors.length > 0 ? { errors } : { input, termsAccepted };
}

/** The form input an API error's `param` belongs to (`individual[dob][year]` shows at `individual[dob]`), if any. */
export function formFieldOfParam(param: string | undefined, plan: OnboardingPlan): string | undefined {
  if (param === undefined) return undefined;
  const names = [...plan.shown].flatMap((input) => formNames[input]);
  for (let candidate = param; candidate !== ''; candidate = candidate.replace(/(\[[^\]]*\]|[^[]+)$/, '')) {
    if (names.includes(candidate)) return candidate;
    if (candidate === 'external_account') return 'external_account[account_number]';
  }
  return undefined;
}
