import { createHash } from 'node:crypto';

/**
 * What the test processor shows for a boleto or a Pix payment, in each scheme's real format so a merchant's code that
 * parses them (a banking app, a QR reader) works in test mode: a boleto's 47-digit digitable line (FEBRABAN layout, with
 * its modulo-10 field digits and modulo-11 general digit) and a Pix "copia e cola" BR Code (EMV merchant-presented
 * QR payload, Banco Central's `br.gov.bcb.pix` account template, CRC16-CCITT). The values are derived from the attempt,
 * so asking again gives the same voucher.
 */

function digitsOf(seed: string, count: number): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  let out = '';
  for (let i = 0; out.length < count; i += 1) out += (parseInt(hex[i % hex.length], 16) % 10).toString();
  return out;
}

/** FEBRABAN's modulo 10 (weights 2,1,2,... from the right, digits of the products summed). */
export function modulo10(digits: string): number {
  let sum = 0;
  for (let i = digits.length - 1, weight = 2; i >= 0; i -= 1, weight = weight === 2 ? 1 : 2) {
    const product = Number(digits[i]) * weight;
    sum += product > 9 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}

/** The barcode's general check digit: modulo 11, weights 2..9 from the right; 0, 1, 10 and 11 become 1. */
export function modulo11(digits: string): number {
  let sum = 0;
  for (let i = digits.length - 1, weight = 2; i >= 0; i -= 1, weight = weight === 9 ? 2 : weight + 1) sum += Number(digits[i]) * weight;
  const digit = 11 - (sum % 11);
  return digit === 0 || digit === 1 || digit >= 10 ? 1 : digit;
}

const boletoBaseDate = Date.UTC(1997, 9, 7);

/** The due date factor: days since 1997-10-07, restarting at 1000 after 9999 (FEBRABAN, from 2025-02-22). */
export function dueDateFactor(dueSeconds: number): string {
  const days = Math.floor((dueSeconds * 1000 - boletoBaseDate) / 86_400_000);
  return String(days < 1000 ? days : ((days - 1000) % 9000) + 1000).padStart(4, '0');
}

/** A boleto's digitable line (47 digits, no punctuation, as Stripe's `number`), for the amount in centavos. */
export function boletoNumber(seed: string, amount: number, dueSeconds: number): string {
  const bank = '001';
  const currency = '9';
  const free = digitsOf(`boleto:${seed}`, 25);
  const factorAndAmount = dueDateFactor(dueSeconds) + String(amount).padStart(10, '0');
  const general = modulo11(bank + currency + factorAndAmount + free);
  const field1 = bank + currency + free.slice(0, 5);
  const field2 = free.slice(5, 15);
  const field3 = free.slice(15, 25);
  return `${field1}${modulo10(field1)}${field2}${modulo10(field2)}${field3}${modulo10(field3)}${general}${factorAndAmount}`;
}

/** CRC16-CCITT (polynomial 0x1021, initial 0xFFFF), as the BR Code's field 63 carries it: 4 upper-case hex digits. */
export function crc16Ccitt(text: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

function tlv(id: string, value: string): string {
  return `${id}${String(value.length).padStart(2, '0')}${value}`;
}

/** A Pix BR Code ("copia e cola") for the amount in centavos, paying the test processor's key with the attempt's txid. */
export function pixBrCode(seed: string, amount: number): string {
  const hex = createHash('sha256').update(`pix:${seed}`).digest('hex');
  const key = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  const txid = `PAYRAIL${hex.slice(32, 50).toUpperCase()}`;
  const payload = tlv('00', '01')
    + tlv('01', '12')
    + tlv('26', tlv('00', 'br.gov.bcb.pix') + tlv('01', key))
    + tlv('52', '0000')
    + tlv('53', '986')
    + tlv('54', (amount / 100).toFixed(2))
    + tlv('58', 'BR')
    + tlv('59', 'PAYRAIL TEST')
    + tlv('60', 'SAO PAULO')
    + tlv('62', tlv('05', txid))
    + '6304';
  return payload + crc16Ccitt(payload);
}

/**
 * A UPI intent link (NPCI's `upi://pay` deep link) for the amount in paise, paying the test processor's VPA with the
 * attempt as the transaction reference: what a payer's UPI app opens, as Razorpay's intent flow answers it.
 */
export function upiIntentLink(seed: string, amount: number): string {
  const reference = `PAYRAIL${createHash('sha256').update(`upi:${seed}`).digest('hex').slice(0, 16).toUpperCase()}`;
  const query = new URLSearchParams({ pa: 'payrail.test@okpayrail', pn: 'Payrail Test', tr: reference, am: (amount / 100).toFixed(2), cu: 'INR', tn: 'Payrail test payment' });
  return `upi://pay?${query.toString()}`;
}
