/**
 * The Brazilian documents and payment codes the Mercado Pago sandbox produces or checks, computed as the published
 * standards define them (nothing here is Mercado Pago's own):
 * - CPF and CNPJ check digits (Receita Federal; CNPJs may be alphanumeric since July 2026, each character counting as
 *   its character code minus 48).
 * - The Pix "copia e cola" BR Code: EMV QRCPS-MPM fields as Banco Central do Brasil's Manual de Padrões para Iniciação
 *   do Pix lays them out, closed by a CRC16-CCITT (polynomial 0x1021, initial value 0xFFFF) in field 63.
 * - The boleto's 44-digit barcode and 47-digit digitable line (FEBRABAN layout: bank, currency 9, a modulo-11 check
 *   digit, the due-date factor, the amount in centavos and the bank's 25-digit free field; modulo-10 check digits on
 *   the first three fields of the line).
 */

const cpfLength = 11;
const cnpjLength = 14;

/** Strips the usual mask characters (dots, dash, slash, spaces) from a document number. */
export function unmaskDocument(value: string): string {
  return value.replace(/[.\-/\s]/g, '');
}

/** Whether an 11-digit CPF has valid check digits (a number of one repeated digit is refused, as the Receita does). */
export function isValidCpf(value: string): boolean {
  if (!/^\d{11}$/.test(value) || /^(\d)\1{10}$/.test(value)) return false;
  const digits = [...value].map(Number);
  for (const position of [9, 10]) {
    let sum = 0;
    for (let index = 0; index < position; index++) sum += digits[index] * (position + 1 - index);
    const check = ((sum * 10) % 11) % 10;
    if (check !== digits[position]) return false;
  }
  return digits.length === cpfLength;
}

/** Whether a 14-character CNPJ (12 digits or upper-case letters, then 2 check digits) has valid check digits. */
export function isValidCnpj(value: string): boolean {
  if (!/^[0-9A-Z]{12}\d{2}$/.test(value) || /^(\d)\1{13}$/.test(value)) return false;
  const values = [...value].map((character) => character.charCodeAt(0) - 48);
  const weights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
  for (const position of [12, 13]) {
    let sum = 0;
    const offset = weights.length - position;
    for (let index = 0; index < position; index++) sum += values[index] * weights[offset + index];
    const remainder = sum % 11;
    if ((remainder < 2 ? 0 : 11 - remainder) !== values[position]) return false;
  }
  return value.length === cnpjLength;
}

// --- Pix BR Code -------------------------------------------------------------------------------------------------

/** One EMV field: two-digit id, two-digit length, value. */
function emvField(id: string, value: string): string {
  if (value.length > 99) throw new Error(`EMV field ${id} is longer than 99 characters`);
  return `${id}${String(value.length).padStart(2, '0')}${value}`;
}

/** CRC16-CCITT-FALSE of the payload, as four upper-case hex digits (the value of field 63). */
export function crc16(payload: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(payload, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** Removes accents and keeps the characters the BR Code's name and city fields allow. */
function emvText(value: string, lengthMax: number): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 .\-]/g, '')
    .slice(0, lengthMax)
    .trim();
}

export interface BrCodeInput {
  /** The receiver's Pix key (Mercado Pago uses a random key, a UUID). */
  pixKey: string;
  /** Amount in centavos. */
  amountMinor: number;
  merchantName: string;
  merchantCity: string;
  /** The transaction id of field 62-05 (up to 25 letters and digits). */
  transactionId: string;
}

/** The Pix "copia e cola" string for a single-use charge, ending in its CRC. */
export function pixBrCode(input: BrCodeInput): string {
  const amount = `${Math.floor(input.amountMinor / 100)}.${String(input.amountMinor % 100).padStart(2, '0')}`;
  const body =
    emvField('00', '01') +
    emvField('01', '12') +
    emvField('26', emvField('00', 'br.gov.bcb.pix') + emvField('01', input.pixKey)) +
    emvField('52', '0000') +
    emvField('53', '986') +
    emvField('54', amount) +
    emvField('58', 'BR') +
    emvField('59', emvText(input.merchantName, 25)) +
    emvField('60', emvText(input.merchantCity, 15)) +
    emvField('62', emvField('05', input.transactionId.replace(/[^A-Za-z0-9]/g, '').slice(0, 25)));
  const withCrcHeader = `${body}6304`;
  return `${withCrcHeader}${crc16(withCrcHeader)}`;
}

/** Splits a BR Code into its top-level fields (id -> value); throws on a malformed string. */
export function parseEmv(code: string): Map<string, string> {
  const fields = new Map<string, string>();
  let position = 0;
  while (position < code.length) {
    const id = code.slice(position, position + 2);
    const length = Number(code.slice(position + 2, position + 4));
    if (!/^\d{2}$/.test(id) || !Number.isInteger(length)) throw new Error(`malformed EMV field at ${position}`);
    fields.set(id, code.slice(position + 4, position + 4 + length));
    position += 4 + length;
  }
  return fields;
}

// --- Boleto ------------------------------------------------------------------------------------------------------

/** FEBRABAN's base date of the due-date factor, and the day the factor wrapped from 9999 back to 1000. */
const factorBase = Date.UTC(1997, 9, 7);
const millisecondsPerDay = 86_400_000;
const factorWrapDays = 10_000;
const factorCycleDays = 9_000;
/** The barcode's 10-digit amount field holds at most 99,999,999.99. */
export const boletoAmountMaxMinor = 9_999_999_999;

/** The 4-digit due-date factor of a boleto due on `due` (a date; the time of day is ignored, in UTC-3). */
export function dueDateFactor(due: Date): string {
  const brasilia = new Date(due.getTime() - 3 * 3_600_000);
  const day = Date.UTC(brasilia.getUTCFullYear(), brasilia.getUTCMonth(), brasilia.getUTCDate());
  const days = Math.round((day - factorBase) / millisecondsPerDay);
  const factor = days >= factorWrapDays ? ((days - factorWrapDays) % factorCycleDays) + 1000 : days;
  return String(factor).padStart(4, '0');
}

/** The barcode's general check digit: modulo 11 with weights 2 to 9 from the right; 0, 10 and 11 become 1. */
function modulo11(digits: string): number {
  let sum = 0;
  let weight = 2;
  for (let index = digits.length - 1; index >= 0; index--) {
    sum += Number(digits[index]) * weight;
    weight = weight === 9 ? 2 : weight + 1;
  }
  const check = 11 - (sum % 11);
  return check === 0 || check === 10 || check === 11 ? 1 : check;
}

/** A digitable-line field's check digit: modulo 10 with weights 2, 1, 2, ... from the right. */
export function modulo10(digits: string): number {
  let sum = 0;
  let weight = 2;
  for (let index = digits.length - 1; index >= 0; index--) {
    const product = Number(digits[index]) * weight;
    sum += product > 9 ? product - 9 : product;
    weight = weight === 2 ? 1 : 2;
  }
  return (10 - (sum % 10)) % 10;
}

export interface Boleto {
  barcode: string;
  digitableLine: string;
}

/** Bradesco's bank code (the `bolbradesco` payment method). */
const bradesco = '237';

/**
 * A Bradesco boleto's barcode and digitable line. The free field is Bradesco's layout: agency (4), carteira (2),
 * nosso número (11, here the payment id), account (7) and a zero.
 */
export function boletoCodes(paymentId: number, amountMinor: number, due: Date): Boleto {
  if (!Number.isInteger(amountMinor) || amountMinor <= 0 || amountMinor > boletoAmountMaxMinor) throw new Error('boleto amount out of range');
  const freeField = `3381` + `26` + String(paymentId % 100_000_000_000).padStart(11, '0') + `0486547` + `0`;
  const withoutCheck = `${bradesco}9${dueDateFactor(due)}${String(amountMinor).padStart(10, '0')}${freeField}`;
  const check = modulo11(withoutCheck);
  const barcode = `${withoutCheck.slice(0, 4)}${check}${withoutCheck.slice(4)}`;
  const field1 = `${bradesco}9${freeField.slice(0, 5)}`;
  const field2 = freeField.slice(5, 15);
  const field3 = freeField.slice(15, 25);
  const digitableLine = `${field1}${modulo10(field1)}${field2}${modulo10(field2)}${field3}${modulo10(field3)}${check}${barcode.slice(5, 19)}`;
  return { barcode, digitableLine };
}

/** The general check digit a barcode carries in position 5 is the one its other 43 digits give. */
export function boletoBarcodeIsValid(barcode: string): boolean {
  return /^\d{44}$/.test(barcode) && modulo11(barcode.slice(0, 4) + barcode.slice(5)) === Number(barcode[4]);
}
