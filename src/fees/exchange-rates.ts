import fs from 'node:fs';
import { inTransaction, type Database, type Queryable } from '../platform/db.ts';
import { currencyExponents } from '../platform/money.ts';
import { findExchangeRates, saveExchangeRate } from './exchange-rates-repository.ts';

/** Digits after the decimal point of a stored conversion rate (what a balance transaction's exchange_rate shows). */
export const rateDecimalPlaces = 10;
const rateScale = 10n ** BigInt(rateDecimalPlaces);

/** How long loaded rates are used before the table is read again. */
export const ratesRefreshMs = 60_000;

export interface RatesFile {
  base: string;
  rates: Record<string, string | number>;
}

/** Parses a positive decimal ("0.92", "151.5") into an integer scaled by 10^rateDecimalPlaces. */
export function parseRate(text: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a positive decimal rate`);
  const fraction = (match[2] ?? '').padEnd(rateDecimalPlaces, '0').slice(0, rateDecimalPlaces);
  const scaled = BigInt(match[1]) * rateScale + BigInt(fraction || '0');
  if (scaled <= 0n) throw new Error(`rate "${text}" must be positive`);
  return scaled;
}

function formatScaledRate(scaled: bigint): string {
  const whole = scaled / rateScale;
  const fraction = (scaled % rateScale).toString().padStart(rateDecimalPlaces, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

/** `numerator / denominator` rounded half up, for non-negative bigints. */
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/**
 * Converts `amount` (minor units of `from`) to minor units of `to` at `rate` (units of `to` per unit of `from`,
 * decimal text), rounded half up. Exact integer arithmetic: no floating point touches money.
 */
export function convertAmount(amount: number, from: string, to: string, rate: string): number {
  const fromExponent = currencyExponents.get(from) ?? 2;
  const toExponent = currencyExponents.get(to) ?? 2;
  const numerator = BigInt(amount) * parseRate(rate) * 10n ** BigInt(toExponent);
  const denominator = rateScale * 10n ** BigInt(fromExponent);
  return Number(divideRounded(numerator, denominator));
}

/**
 * Exchange rates from the `exchange_rates` table (filled from the rates file at start). A pair is found directly,
 * as the inverse of the opposite pair, or across the base currency of the file.
 */
export class ExchangeRates {
  #rates = new Map<string, bigint>();
  #loadedAt = 0;

  constructor(private readonly db: Queryable) {}

  /** Reads the table again, through `through` (see `rate`). */
  async refresh(through: Queryable = this.db): Promise<void> {
    const rates = new Map<string, bigint>();
    for (const row of await findExchangeRates(through)) rates.set(`${row.base}:${row.quote}`, parseRate(row.rate));
    this.#rates = rates;
    this.#loadedAt = Date.now();
  }

  /**
   * Units of `to` per unit of `from` as decimal text, or undefined when no rate connects them. `through` is the
   * connection a refresh reads with: a caller holding a pooled connection passes it (a second one could deadlock).
   */
  async rate(from: string, to: string, through: Queryable = this.db): Promise<string | undefined> {
    if (Date.now() - this.#loadedAt > ratesRefreshMs) await this.refresh(through);
    return this.cachedRate(from, to);
  }

  private cachedRate(from: string, to: string): string | undefined {
    if (from === to) return '1';
    const direct = this.#rates.get(`${from}:${to}`);
    if (direct !== undefined) return formatScaledRate(direct);
    const inverse = this.#rates.get(`${to}:${from}`);
    if (inverse !== undefined) return formatScaledRate(divideRounded(rateScale * rateScale, inverse));
    for (const [key, fromPerBase] of this.#rates) {
      const [base, quote] = key.split(':');
      if (quote !== from) continue;
      const toPerBase = this.#rates.get(`${base}:${to}`);
      if (toPerBase !== undefined) return formatScaledRate(divideRounded(toPerBase * rateScale, fromPerBase));
    }
    return undefined;
  }
}

/** Writes a rates file into the table (each rate replaces the stored one for its pair), all or nothing. */
export async function loadRatesFile(db: Database, filePath: string, now: number): Promise<number> {
  const parsed = JSON.parse(fs.readFileSync(filePath, 'utf8')) as RatesFile;
  if (typeof parsed.base !== 'string' || typeof parsed.rates !== 'object' || parsed.rates === null) {
    throw new Error(`${filePath}: expected {"base": "usd", "rates": {"eur": "0.92", ...}}`);
  }
  const base = parsed.base.toLowerCase();
  const rows: [string, string][] = [];
  for (const [quote, value] of Object.entries(parsed.rates)) {
    const code = quote.toLowerCase();
    if (code === base) continue;
    if (!currencyExponents.has(code)) throw new Error(`${filePath}: unknown currency "${quote}"`);
    rows.push([code, formatScaledRate(parseRate(String(value)))]);
  }
  return inTransaction(db, async (client) => {
    for (const [code, text] of rows) {
      await saveExchangeRate(client, { base, quote: code, rate: text, source: `file:${filePath}`, updated: now });
    }
    return rows.length;
  });
}
