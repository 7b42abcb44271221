import { ApiError } from '../platform/errors.ts';
import { localMethodHash } from '../payment-methods/local-methods.ts';
import { isLocalMethodType, methodTypeOf, type LocalMethodTypeName, type MethodType } from '../payment-methods/method-types.ts';
import type { BillingDetailsInput, PaymentMethodDataInput } from '../payment-methods/service.ts';
import type { PaymentMethodOptionsInput } from '../payments/payment-method-options.ts';
import type { FieldError, RawForm } from './form-types.ts';
import type { LocalMethodTexts } from './local-method-texts.ts';

/**
 * What the hosted page asks for each local payment method, derived from the method table
 * (src/payment-methods/method-types.ts): the billing details it requires (a name, an address, a country where the
 * country decides the currency), the fields of its hash (a bank to choose, a CPF/CNPJ, a VPA, an IBAN), and BLIK's
 * one-time code (a confirmation option, not part of the PaymentMethod). Field names are `<type>_<field>`, so each
 * method's fields are distinct on one page. Reading checks the same rules the API applies (localMethodHash), so a
 * mistake is shown next to its field instead of as an API error.
 */

export interface LocalTextField {
  kind: 'text';
  name: string;
  label: string;
  required: boolean;
  autocomplete?: string;
  inputMode?: 'numeric' | 'text' | 'email';
  maxLength: number;
  /** A value never written back into the page (an IBAN, a one-time code). */
  secret?: boolean;
}

export interface LocalSelectField {
  kind: 'select';
  name: string;
  label: string;
  required: boolean;
  options: readonly { value: string; label: string }[];
}

export type LocalField = LocalTextField | LocalSelectField;

/** A bank id as a person reads it: `abn_amro` -> `Abn amro` (the API's names, which are the values posted). */
function bankLabel(value: string): string {
  const words = value.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The countries a method's customer may be in for a payment in `currency` (Klarna: where that currency is paid). */
export function countriesFor(method: MethodType, currency: string): string[] {
  if (method.countryCurrencies) return Object.entries(method.countryCurrencies).filter(([, paid]) => paid === currency).map(([country]) => country).sort();
  return [...method.countries];
}

/** The fields of a local method on a session in `currency`, in the order the page shows them. */
export function localMethodFields(type: LocalMethodTypeName, currency: string, t: LocalMethodTexts): LocalField[] {
  const method = methodTypeOf(type)!;
  const fields: LocalField[] = [];
  const required = new Set<string>(method.requiredBillingDetails);
  if (required.has('name')) fields.push({ kind: 'text', name: `${type}_name`, label: t.fullName, required: true, autocomplete: 'name', maxLength: 200 });
  for (const [field, rule] of Object.entries(method.hashFields)) {
    const name = `${type}_${field}`;
    switch (rule.kind) {
      case 'enum':
        fields.push({ kind: 'select', name, label: rule.required ? t.bank : t.bankOptional, required: rule.required, options: [...(rule.required ? [] : [{ value: '', label: t.anyBank }]), ...rule.values.map((value) => ({ value, label: bankLabel(value) }))] });
        break;
      case 'iban':
        fields.push({ kind: 'text', name, label: t.iban, required: true, autocomplete: 'off', maxLength: 42, secret: true });
        break;
      case 'br_tax_id':
        fields.push({ kind: 'text', name, label: t.taxId, required: rule.required, inputMode: 'numeric', maxLength: 20 });
        break;
      case 'vpa':
        fields.push({ kind: 'text', name, label: t.vpa, required: rule.required, autocomplete: 'off', maxLength: 320 });
        break;
      case 'date_of_birth':
        // Optional everywhere it appears (Klarna asks on its own page): not asked here.
        break;
    }
  }
  if (type === 'blik') fields.push({ kind: 'text', name: 'blik_code', label: t.blikCode, required: true, inputMode: 'numeric', autocomplete: 'one-time-code', maxLength: 6, secret: true });
  if (required.has('address.line1')) {
    fields.push({ kind: 'text', name: `${type}_line1`, label: t.line1, required: true, autocomplete: 'address-line1', maxLength: 200 });
    fields.push({ kind: 'text', name: `${type}_city`, label: t.city, required: required.has('address.city'), autocomplete: 'address-level2', maxLength: 200 });
    fields.push({ kind: 'text', name: `${type}_state`, label: t.state, required: required.has('address.state'), autocomplete: 'address-level1', maxLength: 200 });
    fields.push({ kind: 'text', name: `${type}_postal_code`, label: t.postalCode, required: required.has('address.postal_code'), autocomplete: 'postal-code', maxLength: 20 });
  }
  const countries = countriesFor(method, currency);
  if (required.has('address.country') && countries.length > 1) {
    fields.push({ kind: 'select', name: `${type}_country`, label: t.country, required: true, options: countries.map((country) => ({ value: country, label: country })) });
  }
  return fields;
}

/** The form's field names that are never written back into a page (the IBAN, BLIK's code). */
export function isSecretField(name: string): boolean {
  return name === 'sepa_debit_iban' || name === 'blik_code';
}

/** What the page confirms the session's PaymentIntent with for a local method. */
export interface LocalPayment {
  data: PaymentMethodDataInput;
  options?: PaymentMethodOptionsInput;
}

function text(raw: RawForm, name: string, maxLength: number): string {
  const value = raw[name];
  return typeof value === 'string' ? value.trim().slice(0, maxLength) : '';
}

/** The shopper's input for a local method, checked; `email` is the page's email field (or the session's). */
export function readLocalMethod(type: string, currency: string, raw: RawForm, email: string | null, t: LocalMethodTexts): { payment: LocalPayment } | { errors: FieldError[] } {
  if (!isLocalMethodType(type)) return { errors: [{ field: 'payment_method_type', message: t.chooseMethod }] };
  const method = methodTypeOf(type)!;
  const fields = localMethodFields(type, currency, t);
  const errors: FieldError[] = [];
  const values = new Map<string, string>();
  for (const field of fields) {
    const value = text(raw, field.name, field.kind === 'text' ? field.maxLength : 100);
    if (field.kind === 'select' && value !== '' && !field.options.some((option) => option.value === value)) errors.push({ field: field.name, message: t.choose });
    else if (value === '' && field.required) errors.push({ field: field.name, message: field.kind === 'select' ? t.choose : t.required });
    values.set(field.name, value);
  }
  if (type === 'blik' && values.get('blik_code') !== '' && !/^\d{6}$/.test(values.get('blik_code') ?? '')) errors.push({ field: 'blik_code', message: t.blikCodeInvalid });
  const details: Record<string, unknown> = {};
  for (const field of Object.keys(method.hashFields)) {
    const value = values.get(`${type}_${field}`);
    if (value !== undefined && value !== '') details[field] = value;
  }
  // The API's own checks of the hash (the IBAN's mod-97, the CPF's check digits, the VPA's shape), shown by the field.
  if (!errors.some((error) => error.field.startsWith(`${type}_`))) {
    try {
      localMethodHash(type, details, '');
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const field = /^[a-z_0-9]+\[([a-z_]+)\]/.exec(error.param ?? '')?.[1];
      errors.push({ field: field ? `${type}_${field}` : 'payment_method_type', message: field === 'iban' ? t.ibanInvalid : field === 'tax_id' ? t.taxIdInvalid : field === 'vpa' ? t.vpaInvalid : t.required });
    }
  }
  if (method.requiredBillingDetails.includes('email') && email === null) errors.push({ field: 'email', message: t.emailRequired });
  if (errors.length > 0) return { errors };
  const billing: BillingDetailsInput = { email };
  const name = values.get(`${type}_name`);
  if (name) billing.name = name;
  const countries = countriesFor(method, currency);
  const country = values.get(`${type}_country`) || (countries.length === 1 ? countries[0] : undefined);
  if (method.requiredBillingDetails.some((detail) => detail.startsWith('address.'))) {
    billing.address = {
      line1: values.get(`${type}_line1`) || null, line2: null, city: values.get(`${type}_city`) || null, state: values.get(`${type}_state`) || null,
      postal_code: values.get(`${type}_postal_code`) || null, country: country ?? null,
    };
  }
  const payment: LocalPayment = { data: { type, details, billing_details: billing } };
  if (type === 'blik') payment.options = { blik: { code: values.get('blik_code') } };
  return { payment };
}
