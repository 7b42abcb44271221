import type { Dependencies } from '../dependencies.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { clearDefaultPaymentMethod, clearDefaultSource, findCustomer } from '../customers/repository.ts';
import { renderCustomer } from '../customers/render.ts';

type EventWork = Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;
import type { Address } from '../customers/repository.ts';
import { brandOf, cardNumberLengthMax, cardNumberLengthMin, factsOf, hasValidLength, isKnownTestCardNumber, passesLuhn, testPaymentMethodNumbers } from './card-numbers.ts';
import { renderPaymentMethod } from './render.ts';
import { securityCodeInsertStatement } from './security-codes-repository.ts';
import { run } from '../platform/statements.ts';
import { checkRequiredBillingDetails, localMethodHash, localPaymentMethodRow, sepaIbanOf } from './local-methods.ts';
import { isLocalMethodType, type LocalMethodTypeName } from './method-types.ts';
import {
  findPaymentMethod, insertPaymentMethod, listPaymentMethods, savePaymentMethod,
  type BillingDetails, type CardPaymentMethodRow, type LocalPaymentMethodRow, type NewPaymentMethodRow, type PaymentMethodRow, type PaymentMethodType,
} from './repository.ts';

/** What PaymentMethods need of the process: the box that encrypts and fingerprints card numbers. */
export type PaymentMethodDependencies = Pick<Dependencies, 'secretBox'>;

export interface CardInput {
  number?: string;
  exp_month?: number;
  exp_year?: number;
  cvc?: string;
}

export interface BillingDetailsInput {
  address?: Address | null;
  email?: string | null;
  name?: string | null;
  phone?: string | null;
}

export interface PaymentMethodInput {
  type: PaymentMethodType;
  /** Required for `card`; refused for every other type. */
  card?: CardInput;
  /** A local type's own hash (`ideal`, `klarna`, ...: the parameter named like the type), as the API parsed it. */
  details?: Record<string, unknown>;
  billing_details?: BillingDetailsInput;
  metadata?: MetadataUpdate;
}

/**
 * Stripe's `payment_method_data` on a PaymentIntent: a PaymentMethod made for the payment, stored with it. Payrail
 * takes it for `paypal` and the local types (a card's raw data goes through POST /v1/payment_methods).
 */
export interface PaymentMethodDataInput {
  type: 'paypal' | LocalMethodTypeName;
  /** A local type's own hash (`payment_method_data[ideal]`, ...). */
  details?: Record<string, unknown>;
  billing_details?: BillingDetailsInput;
  metadata?: MetadataUpdate;
}

/** How far ahead an expiry year may be. */
const expiryYearsAheadMax = 50;

function cardError(code: 'invalid_number' | 'incorrect_number' | 'invalid_expiry_month' | 'invalid_expiry_year' | 'invalid_cvc', message: string, param: string): ApiError {
  return new ApiError(code, message, { param });
}

interface ValidCard {
  number: string;
  expMonth: number;
  expYear: number;
  cvcProvided: boolean;
  /** The security code as given: kept encrypted until the card's first authorization (docs/security.md), never logged. */
  cvc?: string;
}

/** Checks raw card data the way a card network would before anything is stored. */
export function validateCard(card: CardInput, now = new Date()): ValidCard {
  if (card.number === undefined) throw new ApiError('parameter_missing', 'Missing required param: card[number].', { param: 'card[number]' });
  const number = card.number.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(number) || number.length < cardNumberLengthMin || number.length > cardNumberLengthMax) {
    throw cardError('invalid_number', 'Your card number is invalid.', 'card[number]');
  }
  if (!passesLuhn(number)) throw cardError('incorrect_number', 'Your card number is incorrect.', 'card[number]');
  if (!hasValidLength(number, brandOf(number))) throw cardError('invalid_number', 'Your card number is invalid.', 'card[number]');
  if (card.exp_month === undefined) throw new ApiError('parameter_missing', 'Missing required param: card[exp_month].', { param: 'card[exp_month]' });
  if (card.exp_year === undefined) throw new ApiError('parameter_missing', 'Missing required param: card[exp_year].', { param: 'card[exp_year]' });
  const expMonth = card.exp_month;
  if (!Number.isInteger(expMonth) || expMonth < 1 || expMonth > 12) {
    throw cardError('invalid_expiry_month', "Your card's expiration month is invalid.", 'card[exp_month]');
  }
  const expYear = card.exp_year < 100 ? 2000 + card.exp_year : card.exp_year;
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  if (expYear < year || expYear > year + expiryYearsAheadMax) {
    throw cardError('invalid_expiry_year', "Your card's expiration year is invalid.", 'card[exp_year]');
  }
  if (expYear === year && expMonth < month) {
    throw cardError('invalid_expiry_month', "Your card's expiration month is invalid.", 'card[exp_month]');
  }
  if (card.cvc !== undefined && !/^\d{3,4}$/.test(card.cvc)) throw cardError('invalid_cvc', "Your card's security code is invalid.", 'card[cvc]');
  return { number, expMonth, expYear, cvcProvided: card.cvc !== undefined, ...(card.cvc !== undefined ? { cvc: card.cvc } : {}) };
}

/** Stripe's answer to a known test card (or test PaymentMethod, or test token) used with a live key. */
export function liveModeTestCardError(param: string): ApiError {
  return new ApiError('card_declined', 'Your card was declined. Your request was in live mode, but used a known test card.', { param, declineCode: 'testmode_decline' });
}

/**
 * Live mode never takes Stripe's test cards: the built-in test processor would approve them, and a live connector
 * would send them to a real network. Refused before anything is stored, as Stripe does.
 */
export function refuseTestCardInLiveMode(scope: Scope, number: string, param = 'card[number]'): void {
  if (scope.livemode && isKnownTestCardNumber(number)) throw liveModeTestCardError(param);
}

function billingDetails(input: BillingDetailsInput | undefined, current?: BillingDetails): BillingDetails {
  const base: BillingDetails = current ?? { address: null, email: null, name: null, phone: null };
  if (!input) return base;
  const address = input.address === undefined
    ? base.address
    : input.address === null
      ? null
      : {
          city: input.address.city ?? base.address?.city ?? null,
          country: input.address.country ?? base.address?.country ?? null,
          line1: input.address.line1 ?? base.address?.line1 ?? null,
          line2: input.address.line2 ?? base.address?.line2 ?? null,
          postal_code: input.address.postal_code ?? base.address?.postal_code ?? null,
          state: input.address.state ?? base.address?.state ?? null,
        };
  return {
    address,
    email: input.email === undefined ? base.email : input.email,
    name: input.name === undefined ? base.name : input.name,
    phone: input.phone === undefined ? base.phone : input.phone,
  };
}

/**
 * A new card PaymentMethod row: the number encrypted; only brand, last4, expiry, fingerprint, funding and country
 * readable. A legacy card (a token's card, a customer's card source) gets a `card_` id, as at Stripe.
 */
function cardRow(deps: PaymentMethodDependencies, card: ValidCard, extra: { billing?: BillingDetailsInput; metadata?: MetadataUpdate; customerId?: string | null }, prefix: 'pm' | 'card' = 'pm'): Omit<CardPaymentMethodRow, 'account_id' | 'livemode'> {
  const id = newId(prefix);
  const facts = factsOf(card.number);
  return {
    id,
    type: 'card',
    customer_id: extra.customerId ?? null,
    billing_details: billingDetails(extra.billing),
    card: {
      brand: brandOf(card.number),
      last4: card.number.slice(-4),
      exp_month: card.expMonth,
      exp_year: card.expYear,
      fingerprint: deps.secretBox.fingerprint(card.number),
      funding: facts?.funding ?? 'unknown',
      country: facts?.country ?? null,
      cvc_provided: card.cvcProvided,
    },
    card_number_encrypted: deps.secretBox.encrypt(card.number, id),
    wallet: null,
    metadata: mergeMetadata({}, extra.metadata),
    created: nowSeconds(),
  };
}

/**
 * A new PayPal PaymentMethod row: no card data; what PayPal tells about the payer (`wallet`) is unknown until a payment
 * with it is authorized, as at Stripe.
 */
function payPalRow(extra: { billing?: BillingDetailsInput; metadata?: MetadataUpdate }): NewPaymentMethodRow {
  return {
    id: newId('pm'),
    type: 'paypal',
    customer_id: null,
    billing_details: billingDetails(extra.billing),
    card: null,
    card_number_encrypted: null,
    wallet: null,
    metadata: mergeMetadata({}, extra.metadata),
    created: nowSeconds(),
  };
}

/** A new local PaymentMethod row (method-types.ts): its hash and billing details checked against the table. */
function localRow(deps: PaymentMethodDependencies, type: LocalMethodTypeName, details: Record<string, unknown> | undefined, extra: { billing?: BillingDetailsInput; metadata?: MetadataUpdate }, prefix: string): NewPaymentMethodRow {
  if (!isLocalMethodType(type)) throw new Error(`invariant violated: ${type} is not a local payment method type`);
  const hash = localMethodHash(type, details, prefix);
  const billing = billingDetails(extra.billing);
  checkRequiredBillingDetails(type, billing, prefix);
  const row = localPaymentMethodRow(type, hash, billing, extra.metadata);
  // A SEPA IBAN is kept like a card number: encrypted under the PaymentMethod's id, fingerprinted with the same key.
  const iban = sepaIbanOf(type, details, prefix);
  if (iban === null) return row;
  return { ...row, wallet: { ...row.wallet, fingerprint: deps.secretBox.fingerprint(iban) }, bank_account_encrypted: deps.secretBox.encrypt(iban, row.id) };
}

export async function createPaymentMethod(work: UnitOfWork, deps: PaymentMethodDependencies, scope: Scope, input: PaymentMethodInput): Promise<PaymentMethodRow> {
  const extra = { billing: input.billing_details, metadata: input.metadata };
  let row: NewPaymentMethodRow;
  switch (input.type) {
    case 'card':
      if (input.card === undefined) throw new ApiError('parameter_missing', 'Missing required param: card.', { param: 'card' });
      {
        const card = validateCard(input.card);
        refuseTestCardInLiveMode(scope, card.number);
        row = cardRow(deps, card, extra);
        if (card.cvc !== undefined) {
          const cardRowWritten = row;
          const sealed = deps.secretBox.encrypt(card.cvc, securityCodeAssociatedData(row.id));
          return work.finalTransaction(async (client) => {
            const stored = await insertPaymentMethod(client, scope, cardRowWritten);
            await run(client, securityCodeInsertStatement(scope, stored.id, sealed, stored.created));
            return stored;
          });
        }
      }
      break;
    case 'paypal':
      if (input.card !== undefined) throw new ApiError('payment_method_invalid_parameter', 'card cannot be given for a PaymentMethod of type paypal.', { param: 'card' });
      row = payPalRow(extra);
      break;
    default:
      if (input.card !== undefined) throw new ApiError('payment_method_invalid_parameter', `card cannot be given for a PaymentMethod of type ${input.type}.`, { param: 'card' });
      row = localRow(deps, input.type, input.details, extra, '');
  }
  return work.finalTransaction((client) => insertPaymentMethod(client, scope, row));
}

/**
 * The PaymentMethod that `payment_method_data` describes, not yet stored: the caller writes it (with
 * `paymentMethodInsertStatement`) together with the PaymentIntent that uses it, as for Stripe's test ids.
 */
export function paymentMethodFromData(deps: PaymentMethodDependencies, scope: Scope, data: PaymentMethodDataInput): { row: PaymentMethodRow; isNew: true } {
  const extra = { billing: data.billing_details, metadata: data.metadata };
  const row = data.type === 'paypal' ? payPalRow(extra) : localRow(deps, data.type, data.details, extra, 'payment_method_data');
  return { row: { ...row, account_id: scope.accountId, livemode: scope.livemode } as PaymentMethodRow, isNew: true };
}

/** Decrypts a sepa_debit PaymentMethod's IBAN for a connector call. The result must never be logged or stored. */
export function revealBankAccount(deps: PaymentMethodDependencies, row: LocalPaymentMethodRow): string | null {
  return row.bank_account_encrypted ? deps.secretBox.decrypt(row.bank_account_encrypted, row.id) : null;
}

/**
 * The associated data a security code is sealed under: the PaymentMethod's id, with a purpose of its own, so that the
 * ciphertext of a number can never be passed off as a code (or the other way round), nor one card's code as another's.
 */
function securityCodeAssociatedData(paymentMethodId: string): string {
  return `${paymentMethodId}:security_code`;
}

/**
 * Decrypts a card PaymentMethod's security code for a connector call that needs it (Mercado Pago's card token); null
 * once the first authorization's outcome deleted it, or the janitor did after an hour. Never logged or stored.
 */
export function revealSecurityCode(deps: PaymentMethodDependencies, row: CardPaymentMethodRow): string | null {
  return row.security_code_encrypted ? deps.secretBox.decrypt(row.security_code_encrypted, securityCodeAssociatedData(row.id)) : null;
}

/** Decrypts a card PaymentMethod's number for a connector call. The result must never be logged or stored. */
export function revealCardNumber(deps: PaymentMethodDependencies, row: CardPaymentMethodRow): string {
  return deps.secretBox.decrypt(row.card_number_encrypted, row.id);
}

/**
 * Finds a PaymentMethod by id. In test mode Stripe's test ids (`pm_card_visa`, ...) stand for a fresh PaymentMethod
 * made from their test card, as at Stripe; such a row is returned with `isNew` and the caller writes it (with
 * `paymentMethodInsertStatement`) together with whatever uses it.
 */
export async function lookupPaymentMethod(db: Queryable, deps: PaymentMethodDependencies, scope: Scope, id: string, param: string, options: { forUpdate?: boolean } = {}): Promise<{ row: PaymentMethodRow; isNew: boolean }> {
  const testNumber = testPaymentMethodNumbers[id];
  if (testNumber !== undefined && scope.livemode) throw liveModeTestCardError(param);
  if (testNumber !== undefined) {
    const year = new Date().getUTCFullYear() + 1;
    const row = cardRow(deps, { number: testNumber, expMonth: 12, expYear: year, cvcProvided: true }, {});
    return { row: { ...row, account_id: scope.accountId, livemode: scope.livemode }, isNew: true };
  }
  const row = await findPaymentMethod(db, scope, id, options);
  if (!row) throw missing('payment_method', id, param);
  return { row, isNew: false };
}

/** Raw card data of Stripe's legacy card hash (tokens): the card fields plus the holder's name and address. */
export interface LegacyCardInput extends CardInput {
  name?: string | null;
  address_line1?: string | null;
  address_line2?: string | null;
  address_city?: string | null;
  address_state?: string | null;
  address_zip?: string | null;
  address_country?: string | null;
}

/** The billing details a legacy card's name and `address_*` fields stand for; a field sent empty (null) clears it. */
export function legacyBillingDetails(input: Omit<LegacyCardInput, keyof CardInput>, current?: BillingDetails): BillingDetails {
  const base: BillingDetails = current ?? { address: null, email: null, name: null, phone: null };
  const address: Required<Address> = {
    city: base.address?.city ?? null,
    country: base.address?.country ?? null,
    line1: base.address?.line1 ?? null,
    line2: base.address?.line2 ?? null,
    postal_code: base.address?.postal_code ?? null,
    state: base.address?.state ?? null,
  };
  const given = { line1: input.address_line1, line2: input.address_line2, city: input.address_city, state: input.address_state, postal_code: input.address_zip, country: input.address_country };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) address[key as keyof Address] = value;
  return {
    ...base,
    address: Object.values(address).every((value) => value === null) ? null : address,
    name: input.name === undefined ? base.name : input.name,
  };
}

/**
 * A new legacy card (`card_...`, a card PaymentMethod) from raw card data, not yet stored: the number is validated
 * as for POST /v1/payment_methods and encrypted with the same key.
 */
export function newLegacyCard(deps: PaymentMethodDependencies, scope: Scope, input: LegacyCardInput): CardPaymentMethodRow {
  const card = validateCard(input);
  refuseTestCardInLiveMode(scope, card.number);
  const row = cardRow(deps, card, {}, 'card');
  return { ...row, billing_details: legacyBillingDetails(input), account_id: scope.accountId, livemode: scope.livemode };
}

/** A new legacy card for one of Stripe's test card numbers (test tokens such as `tok_visa`), not yet stored. */
export function newTestLegacyCard(deps: PaymentMethodDependencies, scope: Scope, number: string): CardPaymentMethodRow {
  const year = new Date().getUTCFullYear() + 1;
  const row = cardRow(deps, { number, expMonth: 12, expYear: year, cvcProvided: true }, {}, 'card');
  return { ...row, account_id: scope.accountId, livemode: scope.livemode };
}

/** Like lookupPaymentMethod, but a new test PaymentMethod is stored at once. */
export async function resolvePaymentMethod(client: Queryable, deps: PaymentMethodDependencies, scope: Scope, id: string, param: string, options: { forUpdate?: boolean } = {}): Promise<PaymentMethodRow> {
  const found = await lookupPaymentMethod(client, deps, scope, id, param, options);
  return found.isNew ? insertPaymentMethod(client, scope, found.row) : found.row;
}

export async function retrievePaymentMethod(db: Queryable, scope: Scope, id: string): Promise<PaymentMethodRow> {
  const row = await findPaymentMethod(db, scope, id);
  if (!row) throw missing('payment_method', id);
  return row;
}

export interface PaymentMethodUpdate {
  billing_details?: BillingDetailsInput;
  metadata?: MetadataUpdate;
  card?: { exp_month?: number; exp_year?: number };
}

export async function updatePaymentMethod(work: UnitOfWork, scope: Scope, id: string, input: PaymentMethodUpdate): Promise<PaymentMethodRow> {
  return work.finalTransaction(async (client) => {
    const current = await findPaymentMethod(client, scope, id, { forUpdate: true });
    if (!current) throw missing('payment_method', id);
    const common = { billing_details: billingDetails(input.billing_details, current.billing_details), metadata: mergeMetadata(current.metadata, input.metadata) };
    let updated: PaymentMethodRow;
    if (current.type === 'card') {
      const card = { ...current.card };
      if (input.card?.exp_month !== undefined || input.card?.exp_year !== undefined) {
        const checked = validateCard({ number: '4242424242424242', exp_month: input.card.exp_month ?? card.exp_month, exp_year: input.card.exp_year ?? card.exp_year });
        card.exp_month = checked.expMonth;
        card.exp_year = checked.expYear;
      }
      updated = { ...current, ...common, card };
    } else {
      // Only a card has an expiry to update.
      if (input.card !== undefined) throw new ApiError('payment_method_invalid_parameter', `card cannot be updated on a PaymentMethod of type ${current.type}.`, { param: 'card' });
      updated = { ...current, ...common };
    }
    const row = await savePaymentMethod(client, scope, updated);
    const before = renderPaymentMethod(current);
    const after = renderPaymentMethod(row);
    const previous = changedAttributes(before, after);
    // An update that changes nothing is not a state change, so it records no event (as at Stripe).
    if (Object.keys(previous).length > 0) await recordEvent(client, scope, work, 'payment_method.updated', after, previous);
    return row;
  });
}

export async function attachPaymentMethod(work: UnitOfWork, deps: PaymentMethodDependencies, scope: Scope, id: string, customerId: string): Promise<PaymentMethodRow> {
  return work.finalTransaction(async (client) => {
    const customer = await findCustomer(client, scope, customerId);
    if (!customer) throw missing('customer', customerId, 'customer');
    return attachWithin(client, deps, scope, work, id, customerId, 'payment_method');
  });
}

/** Attaches a PaymentMethod to an existing customer inside the caller's transaction; `param` names it in errors. */
export async function attachWithin(client: Queryable, deps: PaymentMethodDependencies, scope: Scope, work: EventWork, id: string, customerId: string, param: string): Promise<PaymentMethodRow> {
  const current = await resolvePaymentMethod(client, deps, scope, id, param, { forUpdate: true });
  if (current.customer_id === customerId) return current;
  if (current.customer_id !== null) {
    throw new ApiError('payment_method_unexpected_state', 'The payment method you provided has already been attached to a customer.', { param });
  }
  const row = await savePaymentMethod(client, scope, { ...current, customer_id: customerId });
  await recordEvent(client, scope, work, 'payment_method.attached', renderPaymentMethod(row));
  return row;
}

export async function detachPaymentMethod(work: UnitOfWork, scope: Scope, id: string): Promise<PaymentMethodRow> {
  return work.finalTransaction(async (client) => {
    const current = await findPaymentMethod(client, scope, id, { forUpdate: true });
    if (!current) throw missing('payment_method', id);
    if (current.customer_id === null) {
      throw new ApiError('payment_method_unexpected_state', `The payment method ${id} is not attached to a customer.`, { param: 'payment_method' });
    }
    const row = await savePaymentMethod(client, scope, { ...current, customer_id: null });
    // A detached card source (card_...) can no longer be the customer's default source.
    await clearDefaultSource(client, scope, current.customer_id, current.id);
    await recordEvent(client, scope, work, 'payment_method.detached', renderPaymentMethod(row), { customer: current.customer_id });
    // A detached PaymentMethod can no longer be its customer's default for invoices.
    const cleared = await clearDefaultPaymentMethod(client, scope, current.customer_id, id);
    if (cleared) {
      await recordEvent(client, scope, work, 'customer.updated', renderCustomer(cleared.after), changedAttributes(renderCustomer(cleared.before), renderCustomer(cleared.after)));
    }
    return row;
  });
}

export async function listCustomerPaymentMethods(db: Queryable, scope: Scope, customerId: string, page: PageRequest, param = 'customer', type?: PaymentMethodType): Promise<Page<PaymentMethodRow>> {
  const customer = await findCustomer(db, scope, customerId);
  if (!customer) throw missing('customer', customerId, param);
  return listPaymentMethods(db, scope, page, customerId, type);
}

/**
 * Every PaymentMethod of the account and mode, attached or not (Stripe's `GET /v1/payment_methods` without
 * `customer`), optionally of one type.
 */
export function listAccountPaymentMethods(db: Queryable, scope: Scope, page: PageRequest, type?: PaymentMethodType): Promise<Page<PaymentMethodRow>> {
  return listPaymentMethods(db, scope, page, null, type);
}

/** One PaymentMethod of a customer: unknown customers, and PaymentMethods attached elsewhere or nowhere, are 404. */
export async function retrieveCustomerPaymentMethod(db: Queryable, scope: Scope, customerId: string, paymentMethodId: string): Promise<PaymentMethodRow> {
  const customer = await findCustomer(db, scope, customerId);
  if (!customer) throw missing('customer', customerId, 'customer');
  const row = await findPaymentMethod(db, scope, paymentMethodId);
  if (!row || row.customer_id !== customerId) throw missing('payment_method', paymentMethodId, 'payment_method');
  return row;
}
