import { randomBytes } from 'node:crypto';
import { causes, MercadoPagoError } from './errors.ts';
import { isObject, type Answer } from './answer.ts';
import { cardTokensKeptMax, setBounded, type CardTokenRecord, type SandboxStore } from './store.ts';

/**
 * POST /v1/card_tokens: what MercadoPago.js does in the payer's browser (with the public key) or a server does with
 * its access token: card data in, a single-use token out (32 hex characters, valid 7 days). The number must pass the
 * Luhn check and have a known BIN; only the first six and last four digits are kept, never the number or the code.
 */

/** Card tokens are single use and live 7 days. */
const cardTokenLifetimeMs = 7 * 86_400_000;

function luhnValid(number: string): boolean {
  let sum = 0;
  for (let index = 0; index < number.length; index++) {
    let digit = Number(number[number.length - 1 - index]);
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * The brand a card number's BIN names. Elo's ranges come first (some start like Visa or Mastercard); Mastercard
 * includes 50xxxx, the range of Mercado Pago's Brazilian Mastercard test card (5031 4332 1540 6351).
 */
function cardBrand(number: string): string | undefined {
  if (/^(4011|4312|4389|4514|4576|5041|5066|5067|509|6277|6362|6363|650|6516|6550)/.test(number)) return 'elo';
  if (/^4/.test(number)) return 'visa';
  if (/^(5[0-5]|2[2-7])/.test(number)) return 'master';
  if (/^3[47]/.test(number)) return 'amex';
  return undefined;
}

export function createCardToken(store: SandboxStore, body: Record<string, unknown>): Answer {
  const number = typeof body.card_number === 'string' ? body.card_number.replace(/\s/g, '') : '';
  const brand = cardBrand(number);
  if (!/^\d{13,19}$/.test(number) || !luhnValid(number) || brand === undefined) throw MercadoPagoError.badRequest(causes.invalidCardNumber);
  const month = Number(body.expiration_month);
  if (!Number.isInteger(month) || month < 1 || month > 12) throw MercadoPagoError.badRequest(causes.invalidExpirationMonth);
  const year = Number(body.expiration_year);
  const now = new Date();
  if (!Number.isInteger(year) || year < now.getUTCFullYear() || year > now.getUTCFullYear() + 30 || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)) {
    throw MercadoPagoError.badRequest(causes.invalidExpirationYear);
  }
  const securityCode = typeof body.security_code === 'string' ? body.security_code : typeof body.security_code === 'number' ? String(body.security_code) : '';
  if (securityCode === '') throw MercadoPagoError.badRequest(causes.securityCodeRequired);
  const securityCodeLength = brand === 'amex' ? 4 : 3;
  if (!new RegExp(`^\\d{${securityCodeLength}}$`).test(securityCode)) throw MercadoPagoError.badRequest(causes.securityCodeRequired, 'Invalid parameter security_code_length');
  const cardholder = isObject(body.cardholder) ? body.cardholder : {};
  const name = typeof cardholder.name === 'string' ? cardholder.name.trim() : '';
  if (name === '') throw MercadoPagoError.badRequest(causes.cardholderNameRequired);
  const identification = isObject(cardholder.identification) && typeof cardholder.identification.type === 'string' && typeof cardholder.identification.number === 'string'
    ? { type: cardholder.identification.type, number: cardholder.identification.number }
    : undefined;
  const created = new Date();
  const token: CardTokenRecord = {
    id: randomBytes(16).toString('hex'),
    brand,
    card: {
      firstSixDigits: number.slice(0, 6),
      lastFourDigits: number.slice(-4),
      expirationMonth: month,
      expirationYear: year,
      cardholderName: name,
      ...(identification ? { cardholderIdentification: identification } : {}),
    },
    securityCodeLength,
    cardNumberLength: number.length,
    used: false,
    dateCreated: created.toISOString(),
    dateDue: new Date(created.getTime() + cardTokenLifetimeMs).toISOString(),
  };
  setBounded(store.cardTokens, token.id, token, cardTokensKeptMax);
  return {
    status: 201,
    body: {
      id: token.id,
      public_key: null,
      card_id: null,
      luhn_validation: true,
      status: 'active',
      date_created: token.dateCreated,
      date_last_updated: token.dateCreated,
      date_due: token.dateDue,
      first_six_digits: token.card.firstSixDigits,
      last_four_digits: token.card.lastFourDigits,
      expiration_month: month,
      expiration_year: year,
      cardholder: { name, identification: identification ?? { type: null, number: null } },
      card_number_length: token.cardNumberLength,
      security_code_length: securityCodeLength,
      require_esc: false,
      live_mode: false,
    },
  };
}
