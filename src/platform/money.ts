import { ApiError } from './errors.ts';

/**
 * ISO 4217 active currency codes with their minor-unit exponents. Most have 2; the exceptions are listed. Where
 * Stripe treats a currency differently from ISO (MGA is zero-decimal at Stripe), Stripe wins, because integrators
 * send amounts in Stripe's units.
 */
const isoCodes = (
  'aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob bov brl bsd btn bwp byn bzd cad cdf ' +
  'che chf chw clf clp cny cop cou crc cuc cup cve czk djf dkk dop dzd egp ern etb eur fjd fkp gbp gel ghs gip gmd ' +
  'gnf gtq gyd hkd hnl htg huf idr ils inr iqd irr isk jmd jod jpy kes kgs khr kmf kpw krw kwd kyd kzt lak lbp lkr ' +
  'lrd lsl lyd mad mdl mga mkd mmk mnt mop mru mur mvr mwk mxn mxv myr mzn nad ngn nio nok npr nzd omr pab pen pgk ' +
  'php pkr pln pyg qar ron rsd rub rwf sar sbd scr sdg sek sgd shp sle sll sos srd ssp stn svc syp szl thb tjs tmt ' +
  'tnd top try ttd twd tzs uah ugx usd usn uyi uyu uyw uzs ved ves vnd vuv wst xaf xcd xof xpf yer zar zmw zwl'
).split(' ');

const exponentExceptions: Record<string, number> = {
  bif: 0, clp: 0, djf: 0, gnf: 0, isk: 0, jpy: 0, kmf: 0, krw: 0, mga: 0, pyg: 0, rwf: 0, ugx: 0, uyi: 0, vnd: 0,
  vuv: 0, xaf: 0, xof: 0, xpf: 0,
  bhd: 3, iqd: 3, jod: 3, kwd: 3, lyd: 3, omr: 3, tnd: 3,
  clf: 4, uyw: 4,
};

export const currencyExponents: ReadonlyMap<string, number> = new Map(
  isoCodes.map((code) => [code, exponentExceptions[code] ?? 2]),
);

/**
 * Stripe's minimum charge amounts, in each currency's minor unit. Currencies not listed use the equivalent of
 * 50 US cents, approximated as 50 minor units (Stripe checks it against the settlement currency).
 */
const minimumChargeAmounts: Record<string, number> = {
  usd: 50, aed: 200, aud: 50, bgn: 100, brl: 50, cad: 50, chf: 50, czk: 1500, dkk: 250, eur: 50, gbp: 30,
  hkd: 400, huf: 17500, inr: 50, jpy: 50, mxn: 1000, myr: 200, nok: 300, nzd: 50, pln: 200, ron: 200,
  sek: 300, sgd: 50, thb: 1000,
};

/** Stripe's maximum: eight digits in the minor unit (99,999,999, e.g. $999,999.99). */
export const maximumAmount = 99_999_999;

export function isCurrency(code: string): boolean {
  return currencyExponents.has(code);
}

export function exponentOf(currency: string): number {
  const exponent = currencyExponents.get(currency);
  if (exponent === undefined) throw new Error(`unknown currency ${currency}`);
  return exponent;
}

export function minimumChargeAmount(currency: string): number {
  return minimumChargeAmounts[currency] ?? 50;
}

/** Renders a minor-unit amount for messages, e.g. 1050 usd -> "$10.50"-style "10.50 USD". */
export function formatAmount(amount: number, currency: string): string {
  const exponent = exponentOf(currency);
  const negative = amount < 0;
  const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? '' : '.' + digits.slice(-exponent);
  return `${negative ? '-' : ''}${whole}${fraction} ${currency.toUpperCase()}`;
}

/** Normalises and checks a currency parameter (Stripe uses lower-case codes). */
export function parseCurrency(value: string, param = 'currency'): string {
  const code = value.toLowerCase();
  if (!isCurrency(code)) throw new ApiError('invalid_currency', `Invalid currency: ${value}. Payrail supports ISO 4217 currency codes in lower case.`, { param });
  return code;
}

/** Checks a charge amount against Stripe's per-currency minimum and the global maximum. */
export function checkChargeAmount(amount: number, currency: string, param = 'amount'): void {
  const minimum = minimumChargeAmount(currency);
  if (amount < minimum) {
    throw new ApiError('amount_too_small', `Amount must be at least ${formatAmount(minimum, currency)}`, { param });
  }
  if (amount > maximumAmount) {
    throw new ApiError('amount_too_large', `Amount must be no more than ${formatAmount(maximumAmount, currency)}`, { param });
  }
}
