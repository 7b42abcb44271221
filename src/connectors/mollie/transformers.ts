import { assertNever, type AuthorizeInput, type AuthorizeOutput, type Decline, type RedirectToUrl, type SimpleOutput } from '../connector.ts';
import { exponentOf } from '../../platform/money.ts';

// Pure mapping between Payrail's terms and Mollie's Payments API v2 (docs.mollie.com): amounts, methods, the payment
// request, what a payment's status means for an attempt, and refunds. No I/O.

/**
 * Payrail's local method types the Mollie connector carries, and Mollie's name of each. SEPA Direct Debit is Mollie's
 * `directdebit`, charged as a recurring payment on a Mollie mandate made for it (connector.ts).
 */
export const mollieMethods = { ideal: 'ideal', bancontact: 'bancontact', eps: 'eps', p24: 'przelewy24', klarna: 'klarna', blik: 'blik', sepa_debit: 'directdebit' } as const;
export type MollieCarriedType = keyof typeof mollieMethods;
export const mollieCarriedTypes = Object.keys(mollieMethods) as MollieCarriedType[];

/** Payrail's type of a Mollie method name (`przelewy24` -> `p24`), or null for a method Payrail does not carry. */
export function payrailTypeOf(method: unknown): MollieCarriedType | null {
  return mollieCarriedTypes.find((type) => mollieMethods[type] === method) ?? null;
}

export function isCarriedType(type: string): type is MollieCarriedType {
  return Object.hasOwn(mollieMethods, type);
}

export interface MollieAmount {
  currency: string;
  value: string;
}

/** Minor units to Mollie's amount: upper-case currency, a string with exactly the currency's decimals ("10.00", JPY "10"). */
export function toMollieAmount(amount: number, currency: string): MollieAmount {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new Error(`amount must be a non-negative integer of minor units, not ${amount}`);
  const exponent = exponentOf(currency);
  const digits = String(amount).padStart(exponent + 1, '0');
  const value = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return { currency: currency.toUpperCase(), value };
}

/** Mollie's amount back to minor units; throws on a value that is not a plain decimal with the currency's decimals. */
export function fromMollieAmount(amount: MollieAmount): { amount: number; currency: string } {
  const currency = amount.currency.toLowerCase();
  const exponent = exponentOf(currency);
  const pattern = exponent === 0 ? /^\d+$/ : new RegExp(`^\\d+\\.\\d{${exponent}}$`);
  if (!pattern.test(amount.value)) throw new Error(`unexpected Mollie amount ${amount.value} ${amount.currency}`);
  return { amount: Number(amount.value.replace('.', '')), currency };
}

/** Mollie's payment statuses (docs.mollie.com, "Payment status changes"). */
export const paymentStatuses = ['open', 'pending', 'authorized', 'paid', 'canceled', 'expired', 'failed'] as const;
export type MolliePaymentStatus = (typeof paymentStatuses)[number];

export function isPaymentStatus(value: unknown): value is MolliePaymentStatus {
  return (paymentStatuses as readonly unknown[]).includes(value);
}

export interface MolliePayment {
  resource?: string;
  id?: string;
  status?: string;
  method?: string;
  amount?: MollieAmount;
  metadata?: unknown;
  details?: Record<string, unknown> | null;
  _links?: { checkout?: { href?: string } };
}

export interface MollieRefund {
  id?: string;
  status?: string;
  amount?: MollieAmount;
  metadata?: unknown;
  paymentId?: string;
}

/** The Idempotency-Key of a Payrail operation: the operation and Payrail's attempt or refund id. */
export function idempotencyKey(operation: 'create-payment' | 'create-customer' | 'create-mandate' | 'capture' | 'refund', id: string): string {
  return `payrail-${operation}-${id}`;
}

/** The metadata Payrail puts on a Mollie payment: its attempt id, read back by `sync` and the webhook. */
export function attemptIdOf(payment: MolliePayment): string | null {
  const metadata = payment.metadata as { payrail_attempt?: unknown } | null | undefined;
  return typeof metadata?.payrail_attempt === 'string' ? metadata.payrail_attempt : null;
}

export function refundIdOf(refund: MollieRefund): string | null {
  const metadata = refund.metadata as { payrail_refund?: unknown } | null | undefined;
  return typeof metadata?.payrail_refund === 'string' ? metadata.payrail_refund : null;
}

/**
 * The create-payment request (POST /v2/payments). Deterministic for one attempt, so a replay under the same
 * Idempotency-Key carries the same parameters (Mollie refuses a key reused with others).
 */
export function toPaymentRequest(
  input: AuthorizeInput,
  urls: { redirectUrl: string; webhookUrl: string | null },
  recurring?: { customerId: string; mandateId: string },
): Record<string, unknown> {
  const type = input.localMethod?.type ?? '';
  if (!isCarriedType(type)) throw new Error(`the Mollie connector does not carry ${type || 'this'} payments`);
  const request: Record<string, unknown> = {
    amount: toMollieAmount(input.amount, input.currency),
    description: `Payment ${input.attemptId}`,
    method: mollieMethods[type],
    metadata: { payrail_attempt: input.attemptId },
  };
  // A debit on a mandate has no shopper to send anywhere: Mollie takes no redirectUrl for a recurring payment.
  if (recurring) Object.assign(request, { sequenceType: 'recurring', customerId: recurring.customerId, mandateId: recurring.mandateId });
  else request.redirectUrl = urls.redirectUrl;
  if (urls.webhookUrl !== null) request.webhookUrl = urls.webhookUrl;
  return request;
}

/** The Mollie customer a SEPA debit's mandate is filed under (POST /v2/customers): the account holder. */
export function toCustomerRequest(input: AuthorizeInput): Record<string, unknown> {
  const billing = input.localMethod?.billingDetails;
  return { name: billing?.name ?? null, email: billing?.email ?? null, metadata: { payrail_attempt: input.attemptId } };
}

/** The Mollie mandate of a SEPA debit (POST /v2/customers/{id}/mandates): the holder's name and IBAN. */
export function toMandateRequest(input: AuthorizeInput): Record<string, unknown> {
  const method = input.localMethod;
  if (!method?.bankAccount) throw new Error('a SEPA debit through Mollie needs the account number');
  return { method: 'directdebit', consumerName: method.billingDetails.name ?? '', consumerAccount: method.bankAccount.iban };
}

/**
 * A failed direct debit's SEPA return reason (Mollie's `details.bankReasonCode`, the EPC R-transaction codes) in
 * Stripe's failure codes; the ones that end the mandate (account closed or blocked, no mandate, refused by the debtor)
 * make Payrail's mandate inactive (mandates/deactivation.ts).
 */
const bankReasonDeclines: Record<string, string> = {
  AC04: 'account_closed',
  AC06: 'bank_account_restricted',
  MD01: 'debit_not_authorized',
  MS02: 'debit_not_authorized',
  AM04: 'insufficient_funds',
};

export function directDebitDecline(payment: MolliePayment): Decline {
  const code = typeof payment.details?.bankReasonCode === 'string' ? payment.details.bankReasonCode : null;
  const reason = typeof payment.details?.bankReason === 'string' ? payment.details.bankReason : null;
  return {
    code: 'payment_method_provider_decline',
    declineCode: (code !== null ? bankReasonDeclines[code] : undefined) ?? 'generic_could_not_process',
    message: code !== null ? `The bank refused the debit (${code}${reason !== null ? `: ${reason}` : ''}).` : 'The bank could not process this debit.',
    blocked: false,
    networkStatus: 'declined_by_network',
  };
}


export const paymentFailed: Decline = {
  code: 'payment_intent_authentication_failure',
  declineCode: 'generic_decline',
  message: 'The payment failed at the bank.',
  blocked: false,
  networkStatus: 'declined_by_network',
};

/** Mollie could not be asked, or answered about another payment (../shared/declines.ts). */
export { customerCanceled, processingError } from '../shared/declines.ts';
import { customerCanceled } from '../shared/declines.ts';

/** What each Mollie status means for the attempt. */
type StatusKind = 'awaiting_customer' | 'processing' | 'authorized' | 'paid' | 'canceled' | 'failed';
const statusKinds: Record<MolliePaymentStatus, StatusKind> = {
  open: 'awaiting_customer',
  pending: 'processing',
  authorized: 'authorized',
  paid: 'paid',
  canceled: 'canceled',
  expired: 'canceled',
  failed: 'failed',
};

/** The last four characters of an account number, when it is an IBAN. */
function ibanLast4(account: unknown): string | null {
  return typeof account === 'string' && /^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(account) ? account.slice(-4) : null;
}

/** Mollie's `details` of a paid payment in Stripe's words for `payment_method_details.<type>`. */
export function methodDetailsOf(type: string | undefined, payment: MolliePayment): Record<string, unknown> {
  const details = payment.details ?? {};
  const verifiedName = typeof details.consumerName === 'string' ? details.consumerName : null;
  const bic = typeof details.consumerBic === 'string' ? details.consumerBic : null;
  switch (type) {
    case 'ideal':
      return { verified_name: verifiedName, iban_last4: ibanLast4(details.consumerAccount), ...(bic !== null ? { bic } : {}) };
    case 'bancontact':
      return { verified_name: verifiedName, iban_last4: ibanLast4(details.consumerAccount), bic, bank_code: bic !== null ? bic.slice(0, 4) : null };
    case 'eps':
      return { verified_name: verifiedName };
    case 'p24':
      return { verified_name: verifiedName, reference: payment.id ?? null };
    case 'klarna':
      return { payment_method_category: null, preferred_locale: null };
    // BLIK and SEPA Direct Debit: Stripe's hashes carry nothing Mollie reports (the debit's facts are Payrail's own).
    case 'blik':
    case 'sepa_debit':
      return {};
    default:
      return {};
  }
}

/** The checkout redirect of an open payment: Mollie's `_links.checkout.href`, followed with a GET. */
export function checkoutRedirect(payment: MolliePayment): RedirectToUrl | null {
  const href = payment._links?.checkout?.href;
  return typeof href === 'string' && URL.canParse(href) ? { type: 'redirect_to_url', url: href, method: 'GET', data: {} } : null;
}

/**
 * What a Mollie payment's state means for an attempt. `returned`: the customer came back from the checkout (or the
 * question comes from `sync`/a webhook): an `open` payment is then left to finish later (`processing`) rather than
 * sent to the checkout again. Unknown statuses are ambiguous (`pending`); only paid, authorized, canceled, expired and
 * failed are final.
 */
export function fromPayment(payment: MolliePayment, input: Pick<AuthorizeInput, 'localMethod'>, returned: boolean): AuthorizeOutput {
  if (typeof payment.id !== 'string' || !isPaymentStatus(payment.status)) return { status: 'pending' };
  const kind = statusKinds[payment.status];
  switch (kind) {
    case 'awaiting_customer': {
      const redirect = checkoutRedirect(payment);
      if (returned || redirect === null) return { status: 'processing', processorReference: payment.id };
      return { status: 'requires_authentication', processorReference: payment.id, nextAction: redirect };
    }
    case 'processing':
      return { status: 'processing', processorReference: payment.id };
    case 'authorized':
    case 'paid':
      return { status: 'authorized', captured: kind === 'paid', processorReference: payment.id, riskScore: 0, methodDetails: methodDetailsOf(input.localMethod?.type, payment) };
    case 'canceled':
      return { status: 'declined', decline: customerCanceled, processorReference: payment.id, riskScore: 0 };
    case 'failed':
      return { status: 'declined', decline: payment.method === 'directdebit' ? directDebitDecline(payment) : paymentFailed, processorReference: payment.id, riskScore: 0 };
    default:
      return assertNever(kind);
  }
}

/** Mollie's refund statuses (docs.mollie.com, "Refunds API"). */
const refundStatuses = { queued: 'pending', pending: 'pending', processing: 'pending', refunded: 'succeeded', failed: 'failed', canceled: 'failed' } as const;

export function refundResult(refund: MollieRefund): 'succeeded' | 'failed' | 'pending' {
  return typeof refund.status === 'string' && Object.hasOwn(refundStatuses, refund.status) ? refundStatuses[refund.status as keyof typeof refundStatuses] : 'pending';
}

export function fromRefund(refund: MollieRefund): SimpleOutput {
  if (typeof refund.id !== 'string') return { status: 'pending' };
  const result = refundResult(refund);
  if (result === 'failed') return { status: 'failed', reason: 'declined' };
  return result === 'succeeded' ? { status: 'succeeded', processorReference: refund.id } : { status: 'pending', processorReference: refund.id };
}
