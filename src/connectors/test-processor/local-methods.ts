import { createHash } from 'node:crypto';
import { ConnectorRequestError, type AuthorizeInput, type AuthorizeOutput, type Decline, type DisplayDetails, type LocalMethodData } from '../connector.ts';
import { upiIntentWaiting } from '../shared/upi-intent.ts';
import { boletoNumber, pixBrCode, upiIntentLink } from './display-details.ts';

/**
 * How the built-in test processor pays with local payment methods (src/payment-methods/method-types.ts), as Stripe's
 * test mode does:
 * - a redirect method (iDEAL, Bancontact, EPS, P24, Klarna) sends the customer to Payrail's test payment page
 *   (`/payrail/test_payment/:attempt`, next to the return page), where "Authorize test payment" authorizes it and
 *   "Fail test payment" fails it; Payrail then asks the processor to finish with that answer;
 * - a boleto shows its voucher until paid ("Mark as paid" on its test page, or Stripe's test e-mails' simulated
 *   customer) or expired;
 * - BLIK has no page: the payment is `processing` until the processor is asked again (`sync`, by the janitor), and then
 *   ends as Stripe's test e-mail patterns say (`billing_details[email]` containing `insufficient_funds@`, ...).
 * Like the card flows, a pure function of its input: `sync` always gives the same final answer.
 */

/** Stripe's BLIK test e-mail patterns (the part before `@` ends with it) and what each simulates. */
const blikImmediateFailures: Record<string, string> = {
  invalid_code: 'The BLIK code is not valid.',
  expired_code: 'The BLIK code has expired: BLIK codes expire after 2 minutes; ask the customer for another code.',
};
const blikDeclines: Record<string, string> = {
  limit_exceeded: 'The payment has been declined because the payment limit on this bank account has been reached.',
  insufficient_funds: 'The bank account has insufficient funds to complete the purchase.',
  customer_declined: 'The customer declined this payment.',
  bank_declined: "The payment has been declined by the customer's bank for an unknown reason.",
  blik_declined: 'The payment has been declined for an unknown reason.',
};
const blikTimeouts: Record<string, string> = {
  customer_timeout: "The customer didn't approve this payment within the allocated 60 seconds.",
  bank_timeout: "The request to the customer's bank timed out.",
  blik_timeout: 'The request to the BLIK network timed out.',
};

/**
 * How a SEPA debit ends once the bank answers, by the IBAN's country, bank code and last four digits (the rest of the
 * IBAN is not known here: only its facts reach a connector). Any other IBAN succeeds.
 *
 * Stripe's documented test IBANs (docs.stripe.com/testing, SEPA Direct Debit; AT and DE shown, the table is keyed the
 * same way for both): AT611904300234573201 / DE89370400440532013000 succeed; AT321904300235473204 /
 * DE08370400440532013003 succeed later ("after at least three minutes": here on the same later ask);
 * AT861904300235473202 / DE62370400440532013001 fail, and AT051904300235473205 / DE78370400440532013004 fail later,
 * Stripe naming no failure code for them: Payrail answers `generic_could_not_process`; AT591904300235473203 /
 * DE35370400440532013002 succeed and would then be disputed (Payrail's test processor disputes cards only so far: they just succeed);
 * AT981904300002222227 / DE65370400440002222227 fail with `insufficient_funds`; AT981904300000343434 /
 * DE65370400440000343434 with `charge_exceeds_source_limit`; AT601904300000121212 / DE27370400440000121212 with
 * `charge_exceeds_weekly_limit`.
 *
 * Stripe documents no SEPA test IBAN whose debit ends the mandate, so these two are Payrail's own:
 * AT801904300000444444 / DE47370400440000444444 fail with `account_closed`, and AT021904300000555555 /
 * DE66370400440000555555 with `debit_not_authorized`; either makes the mandate inactive (mandates/deactivation.ts).
 */
const sepaFailures: Readonly<Record<string, readonly [code: string, message: string]>> = Object.fromEntries(
  ([
    ['3202', 'generic_could_not_process', 'The bank could not process this debit.'],
    ['3205', 'generic_could_not_process', 'The bank could not process this debit.'],
    ['3001', 'generic_could_not_process', 'The bank could not process this debit.'],
    ['3004', 'generic_could_not_process', 'The bank could not process this debit.'],
    ['2227', 'insufficient_funds', 'The bank account has insufficient funds to complete the debit.'],
    ['3434', 'charge_exceeds_source_limit', 'This debit would exceed the weekly volume limit of payments from this bank account.'],
    ['1212', 'charge_exceeds_weekly_limit', 'This debit exceeds the weekly transaction limit of this bank account.'],
    ['4444', 'account_closed', 'The bank account has been closed: the mandate can no longer be used.'],
    ['5555', 'debit_not_authorized', 'The customer told their bank this debit was not authorized: the mandate can no longer be used.'],
  ] as const).flatMap(([last4, code, message]) => ['AT:19043', 'DE:37040044'].map((bank) => [`${bank}:${last4}`, [code, message] as const])),
);

/** The scenario a BLIK test e-mail names, if any: the local part ends with the pattern (Stripe's `.*pattern@.*`). */
function blikScenario(email: string | null, table: Record<string, string>): [string, string] | undefined {
  const local = email?.split('@')[0] ?? '';
  return Object.entries(table).find(([pattern]) => local.endsWith(pattern));
}

function decline(code: string, declineCode: string, message: string): Decline {
  return { code, declineCode, message, blocked: false, networkStatus: 'declined_by_network' };
}

/** The test processor's page for a redirect method's attempt: served by Payrail next to the attempt's return page. */
export function testPaymentPageUrl(returnUrl: string | undefined): string {
  const match = returnUrl ? /^(.*)\/payrail\/return\/([^/?#]+)$/.exec(returnUrl) : null;
  if (!match) throw new ConnectorRequestError('configuration', 'The test processor needs Payrail\'s return page of the attempt to send the customer to its test payment page.');
  return `${match[1]}/payrail/test_payment/${match[2]}`;
}

/** Payrail's pages of an attempt (`/payrail/return/:attempt` is the one the connector is given), and the attempt's id. */
function pagesOf(returnUrl: string | undefined): { base: string; attempt: string } {
  const match = returnUrl ? /^(.*)\/payrail\/return\/([^/?#]+)$/.exec(returnUrl) : null;
  if (!match) throw new ConnectorRequestError('configuration', 'The test processor needs Payrail\'s return page of the attempt to show its test voucher and Pix pages.');
  return { base: match[1], attempt: match[2] };
}

const boletoDefaultDays = 3;
const pixDefaultSeconds = 86_400;

/**
 * Stripe's boleto test e-mails (docs.stripe.com/payments/boleto/accept-a-payment, "Test your integration"): the local
 * part of `billing_details[email]` ending with the pattern picks what the simulated customer does with the voucher.
 * `succeed_immediately` pays within seconds; `expire_immediately` expires now and `expire_with_delay` in 3 minutes,
 * whatever `expires_after_days` says; `fill_never` never pays, expiring as the options say. Any other e-mail pays after
 * about 3 minutes. Stripe's test tax ids (CPF 000.000.000-00, CNPJ 00.000.000/0000-00) pass the check digits as they are.
 */
type BoletoScenario = { paidAfterSeconds?: number; expiresAfterSeconds?: number };
const boletoScenarios: Record<string, BoletoScenario> = {
  succeed_immediately: { paidAfterSeconds: 0 },
  expire_immediately: { expiresAfterSeconds: 0 },
  expire_with_delay: { expiresAfterSeconds: 180 },
  fill_never: {},
};
const boletoDefaultScenario: BoletoScenario = { paidAfterSeconds: 180 };

function boletoScenario(email: string | null): BoletoScenario {
  const local = email?.split('@')[0] ?? '';
  return Object.entries(boletoScenarios).find(([pattern]) => local.endsWith(pattern))?.[1] ?? boletoDefaultScenario;
}

/**
 * Stripe's Pix test e-mails (docs.stripe.com/payments/pix): the same as a boleto's but `fill_never`, which Pix does not
 * list. A Pix's e-mail is optional: without one the tester decides ("Mark as paid"), as before.
 */
function pixScenario(email: string | null): BoletoScenario {
  if (email === null) return {};
  const local = email.split('@')[0];
  const found = Object.entries(boletoScenarios).find(([pattern]) => pattern !== 'fill_never' && local.endsWith(pattern));
  return found?.[1] ?? boletoDefaultScenario;
}

/**
 * A boleto voucher or Pix QR code to pay, with Payrail's test pages where a tester marks it paid (`hosted_voucher_url`,
 * `hosted_instructions_url`) and the QR code's images.
 */
function displayDetails(input: AuthorizeInput, method: LocalMethodData): DisplayDetails {
  const { base, attempt } = pagesOf(input.returnUrl);
  if (method.type === 'boleto') {
    const days = typeof method.options.expires_after_days === 'number' ? method.options.expires_after_days : boletoDefaultDays;
    const scenario = boletoScenario(method.billingDetails.email);
    const voucher = `${base}/payrail/test_voucher/${attempt}`;
    const dueSeconds = Math.floor(Date.now() / 1000) + (scenario.expiresAfterSeconds ?? days * 86_400);
    return {
      type: 'boleto_display_details',
      details: { hosted_voucher_url: voucher, number: boletoNumber(attempt, input.amount, dueSeconds), pdf: `${voucher}/pdf` },
      expires: scenario.expiresAfterSeconds === undefined ? { afterDays: days } : { afterSeconds: scenario.expiresAfterSeconds },
      ...(scenario.paidAfterSeconds === undefined ? {} : { paidAfterSeconds: scenario.paidAfterSeconds }),
    };
  }
  const scenario = pixScenario(method.billingDetails.email);
  const seconds = scenario.expiresAfterSeconds ?? (typeof method.options.expires_after_seconds === 'number' ? method.options.expires_after_seconds : pixDefaultSeconds);
  const page = `${base}/payrail/test_pix/${attempt}`;
  return {
    type: 'pix_display_qr_code',
    details: { data: pixBrCode(attempt, input.amount), hosted_instructions_url: page, image_url_png: `${page}/qr.png`, image_url_svg: `${page}/qr.svg` },
    expires: { afterSeconds: seconds },
    ...(scenario.paidAfterSeconds === undefined ? {} : { paidAfterSeconds: scenario.paidAfterSeconds }),
  };
}

/** How long a UPI intent stays payable: as the Razorpay connector's (Razorpay times an unanswered UPI payment out after about 12 minutes). */
const upiIntentExpirySeconds = 720;

/** Razorpay's test VPAs, which the test processor follows for UPI: `failure@razorpay` fails; any other VPA pays. */
const upiFailureVpa = 'failure@razorpay';

/** What the test bank "reports" about the payer once authorized: Stripe's test-mode values for each type. */
function reportedDetails(method: LocalMethodData, reference: string): Record<string, unknown> {
  const name = method.billingDetails.name ?? 'Jenny Rosen';
  switch (method.type) {
    case 'ideal':
      return { bank: method.details.bank ?? 'ing', bic: method.details.bic ?? 'INGBNL2A', iban_last4: '5264', verified_name: name };
    case 'bancontact':
      return { bank_code: 'VAPE', bank_name: 'VAN DE PUT & CO', bic: 'VAPEBE22', iban_last4: '7061', preferred_language: 'en', verified_name: name };
    case 'eps':
      return { bank: method.details.bank ?? null, verified_name: name };
    case 'p24':
      return { bank: method.details.bank ?? null, reference: `P24-${reference.slice(-12)}`, verified_name: name };
    case 'boleto':
      return { tax_id: method.details.tax_id ?? null };
    case 'pix':
      return { bank_transaction_id: `E${reference.slice(3, 27).toUpperCase()}` };
    case 'upi':
      return { vpa: method.details.vpa ?? null };
    case 'klarna':
      return { payment_method_category: 'pay_later', preferred_locale: typeof method.options.preferred_locale === 'string' ? method.options.preferred_locale : null };
    default:
      return {};
  }
}

/** Stripe's code when a voucher or QR code expires unpaid (`payment_intent.payment_failed`). */
export const expiredCode = 'payment_intent_payment_attempt_expired';

function reference(kind: string, id: string): string {
  return `${kind}_${createHash('sha256').update(id).digest('hex').slice(0, 24)}`;
}

/** A local method's authorization (`asked`: `sync` rather than the first call). */
export function decideLocal(input: AuthorizeInput, method: LocalMethodData, asked: 'authorize' | 'sync', riskScore: number): AuthorizeOutput {
  const processorReference = reference('tl', input.attemptId);
  const authorized: AuthorizeOutput = { status: 'authorized', captured: input.capture, processorReference, riskScore, methodDetails: reportedDetails(method, processorReference) };
  if (method.type === 'blik') {
    const email = method.billingDetails.email;
    const immediate = blikScenario(email, blikImmediateFailures);
    if (immediate) return { status: 'declined', decline: decline('payment_method_invalid_parameter', immediate[0], immediate[1]), processorReference: null, riskScore };
    // The customer approves in the banking app: nothing to answer yet on the first call.
    if (asked === 'authorize') return { status: 'processing', processorReference };
    const declined = blikScenario(email, blikDeclines);
    if (declined) return { status: 'declined', decline: decline('payment_method_provider_decline', declined[0], declined[1]), processorReference, riskScore };
    const timedOut = blikScenario(email, blikTimeouts);
    if (timedOut) return { status: 'declined', decline: decline('payment_method_provider_timeout', timedOut[0], timedOut[1]), processorReference, riskScore };
    return authorized;
  }
  if (method.type === 'upi' && method.options.flow === 'intent') {
    // A UPI intent (payment_method_options[upi][flow]=intent, as the Razorpay connector takes it): the payer's UPI app
    // opens the link; on Payrail's page of the attempt a tester approves or fails it, as on the test payment page.
    if (input.authentication === undefined) {
      const { base, attempt } = pagesOf(input.returnUrl);
      return upiIntentWaiting(upiIntentLink(attempt, input.amount), `${base}/payrail/upi/${attempt}`, upiIntentExpirySeconds, processorReference);
    }
    if (input.authentication.status === 'failed') {
      return { status: 'declined', decline: decline('payment_method_provider_decline', 'customer_declined', 'The customer declined the UPI payment or let it time out.'), processorReference, riskScore };
    }
    return authorized;
  }
  if (method.type === 'upi') {
    // A collect request to the VPA: the payer approves in the UPI app; the processor's later answer decides.
    if (asked === 'authorize') return { status: 'processing', processorReference };
    if (method.details.vpa === upiFailureVpa) {
      return { status: 'declined', decline: decline('payment_method_provider_decline', 'customer_declined', 'The customer declined the UPI collect request.'), processorReference, riskScore };
    }
    return authorized;
  }
  if (method.type === 'boleto' || method.type === 'pix') {
    // Shown to the customer until paid (a tester marks it paid on its page) or expired (Payrail's expiry sweep).
    if (input.authentication === undefined) return { status: 'requires_authentication', processorReference, display: displayDetails(input, method) };
    if (input.authentication.status === 'failed') {
      const what = method.type === 'boleto' ? 'boleto voucher' : 'Pix QR code';
      return { status: 'declined', decline: { ...decline(expiredCode, expiredCode, `The ${what} expired before it was paid.`), networkStatus: 'not_sent_to_network' }, processorReference, riskScore };
    }
    return authorized;
  }
  if (method.type === 'sepa_debit') {
    // The debit clears for days: nothing to answer on the first call; the bank's answer comes on a later ask.
    if (asked === 'authorize') return { status: 'processing', processorReference };
    const key = `${String(method.details.country)}:${String(method.details.bank_code)}:${String(method.details.last4)}`;
    const failure = sepaFailures[key];
    if (failure) return { status: 'declined', decline: decline('payment_method_provider_decline', failure[0], failure[1]), processorReference, riskScore };
    return authorized;
  }
  // A redirect method: the customer's answer on the test payment page decides.
  if (input.authentication === undefined) {
    return { status: 'requires_authentication', processorReference, nextAction: { type: 'redirect_to_url', url: testPaymentPageUrl(input.returnUrl), method: 'GET', data: {} } };
  }
  if (input.authentication.status === 'failed') {
    return { status: 'declined', decline: { ...decline('authentication_required', 'authentication_required', 'The customer failed the test payment.'), networkStatus: 'not_sent_to_network' }, processorReference, riskScore };
  }
  return authorized;
}
