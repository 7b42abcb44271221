import type { AuthorizeInput, CardData, Decline } from '../connector.ts';

// Pure mapping of Payrail's card payments onto Mercado Pago's (specs/mercadopago/spec3.json): the card token request
// (POST /v1/card_tokens), the payment request with its token, brand and installments (POST /v1/payments), and what a
// rejected card payment's `status_detail` means in Stripe's decline codes. No I/O.

/**
 * Elo's BIN ranges: Brazilian cards some of which start like Visa or Mastercard, so they are told first (Mercado
 * Pago's `payment_method_id` is `elo`, not the look-alike brand). Payrail's own brand table has no Elo.
 */
const eloPrefix = /^(4011|4312|4389|4514|4576|5041|5066|5067|509|6277|6362|6363|650|6516|6550)/;

/** Mercado Pago's `payment_method_id` of Payrail's card brands. */
const methodIdOfBrand: Readonly<Record<string, string>> = { visa: 'visa', mastercard: 'master', amex: 'amex' };

/** Mercado Pago's `payment_method_id` of a card (from its number, in memory), or null for a brand it does not take here. */
export function cardMethodId(card: Pick<CardData, 'number' | 'brand'>): string | null {
  if (eloPrefix.test(card.number)) return 'elo';
  return methodIdOfBrand[card.brand] ?? null;
}

/**
 * The card token request. It carries the number and the security code: the request must never be logged (the REST
 * client logs nothing of bodies), and the token it gives is good for one payment.
 */
export function toCardTokenRequest(card: CardData & { securityCode: string; holderName: string }): Record<string, unknown> {
  return {
    card_number: card.number,
    expiration_month: card.expMonth,
    expiration_year: card.expYear,
    security_code: card.securityCode,
    cardholder: { name: card.holderName },
  };
}

/**
 * The create-payment request of a card: the token, the brand, the installments of the plan (1 without one), manual
 * capture as `capture: false`. The attempt id travels as `external_reference` and in `metadata`, as for Pix and boleto.
 */
export function toCardPaymentRequest(input: AuthorizeInput, context: { decimalAmount: number; token: string; methodId: string; email: string; notificationUrl: string | null }): Record<string, unknown> {
  const request: Record<string, unknown> = {
    transaction_amount: context.decimalAmount,
    token: context.token,
    description: `Payment ${input.attemptId}`,
    installments: input.installments?.count ?? 1,
    payment_method_id: context.methodId,
    payer: { email: context.email },
    capture: input.capture,
    external_reference: input.attemptId,
    metadata: { payrail_attempt: input.attemptId },
  };
  if (context.notificationUrl !== null) request.notification_url = context.notificationUrl;
  return request;
}

/**
 * Mercado Pago needs the card's security code for its card token, and Payrail keeps it only until the card's first
 * authorization (docs/security.md). Without it the payment is declined before anything is sent, with Stripe's
 * `incorrect_cvc`: the customer must give the code again (a new PaymentMethod with `card[cvc]`), which is what an
 * integration does on `incorrect_cvc`; a `processing_error` would invite a retry that cannot succeed.
 */
export const securityCodeGone: Decline = {
  code: 'incorrect_cvc',
  declineCode: 'incorrect_cvc',
  message: "Mercado Pago needs the card's security code, which Payrail keeps only until the card's first authorization: collect the card again with its CVC (a new PaymentMethod with card[cvc]).",
  blocked: false,
  networkStatus: 'not_sent_to_network',
};

/** A card payment Mercado Pago could not be sent without the payer's e-mail (its `payer.email` is required). */
export const cardPayerEmailMissing: Decline = {
  code: 'payment_method_invalid_parameter',
  declineCode: 'invalid_email',
  message: "Mercado Pago needs the payer's e-mail: give billing_details[email] with the card PaymentMethod.",
  blocked: false,
  networkStatus: 'not_sent_to_network',
};

/** A card Mercado Pago's card token needs the holder's name for (`cardholder.name`). */
export const cardholderNameMissing: Decline = {
  code: 'payment_method_invalid_parameter',
  declineCode: 'invalid_account',
  message: "Mercado Pago needs the cardholder's name: give billing_details[name] with the card PaymentMethod.",
  blocked: false,
  networkStatus: 'not_sent_to_network',
};

/** A brand Mercado Pago's Brazilian cards do not include (Payrail sends Visa, Mastercard, American Express and Elo). */
export const cardBrandUnsupported: Decline = {
  code: 'card_declined',
  declineCode: 'card_not_supported',
  message: 'Mercado Pago does not take this card brand.',
  blocked: false,
  networkStatus: 'not_sent_to_network',
};

/** The card token was refused (a number, expiry or code Mercado Pago's checks reject). */
export function cardTokenRefused(detail: string | null): Decline {
  return { code: 'card_declined', declineCode: 'invalid_account', message: `Mercado Pago refused the card: ${detail ?? 'invalid card data'}.`, blocked: false, networkStatus: 'not_sent_to_network' };
}

function declined(code: string, declineCode: string, message: string): Decline {
  return { code, declineCode, message, blocked: false, networkStatus: 'declined_by_network' };
}

/** Mercado Pago's card rejections (`status_detail` of a rejected card payment) in Stripe's codes and decline codes. */
const rejections: Readonly<Record<string, Decline>> = {
  cc_rejected_insufficient_amount: declined('card_declined', 'insufficient_funds', 'Your card has insufficient funds.'),
  cc_rejected_bad_filled_security_code: declined('incorrect_cvc', 'incorrect_cvc', "Your card's security code is incorrect."),
  cc_rejected_bad_filled_date: declined('card_declined', 'invalid_expiry_year', "Your card's expiration date is incorrect."),
  cc_rejected_bad_filled_card_number: declined('incorrect_number', 'incorrect_number', 'Your card number is incorrect.'),
  cc_rejected_bad_filled_other: declined('card_declined', 'invalid_account', 'Your card was declined: some of its details are incorrect.'),
  cc_rejected_call_for_authorize: declined('card_declined', 'call_issuer', 'Your card was declined: the issuer asks the cardholder to call.'),
  cc_rejected_card_disabled: declined('card_declined', 'restricted_card', 'Your card was declined: it is not activated.'),
  cc_rejected_duplicated_payment: declined('card_declined', 'duplicate_transaction', 'Your card was declined: a payment of the same amount was just made.'),
  cc_rejected_invalid_installments: declined('card_declined', 'transaction_not_allowed', 'Your card was declined: it cannot pay in this number of installments.'),
  cc_rejected_max_attempts: declined('card_declined', 'card_velocity_exceeded', 'Your card was declined: too many attempts.'),
  cc_rejected_blacklist: declined('card_declined', 'fraudulent', 'Your card was declined.'),
  cc_rejected_high_risk: declined('card_declined', 'fraudulent', 'Your card was declined.'),
  cc_rejected_card_error: declined('processing_error', 'processing_error', 'An error occurred while processing your card. Try again in a little bit.'),
  cc_rejected_other_reason: declined('card_declined', 'generic_decline', 'Your card was declined.'),
};

/** The decline of a rejected card payment; an unknown `status_detail` is a generic decline. */
export function cardRejection(payment: { status_detail?: string }): Decline {
  return rejections[payment.status_detail ?? ''] ?? rejections.cc_rejected_other_reason;
}

/** Whether a Mercado Pago payment is a card's (credit or debit), by its `payment_type_id`. */
export function isCardPayment(payment: { payment_type_id?: string }): boolean {
  return payment.payment_type_id === 'credit_card' || payment.payment_type_id === 'debit_card';
}
