import type { Queryable } from '../platform/db.ts';

// The `exchange_rates` table: one rate per currency pair (units of `quote` per unit of `base`), as decimal text.

export interface StoredRate {
  base: string;
  quote: string;
  /** Decimal text, exactly as stored (numeric), so no floating point touches it. */
  rate: string;
}

/** Every stored rate. */
export async function findExchangeRates(db: Queryable): Promise<StoredRate[]> {
  const result = await db.query<StoredRate>('SELECT base, quote, rate::text AS rate FROM exchange_rates');
  return result.rows;
}

/** Stores the rate of a pair, replacing the one stored before, with where it came from and when. */
export async function saveExchangeRate(db: Queryable, rate: StoredRate & { source: string; updated: number }): Promise<void> {
  await db.query(
    `INSERT INTO exchange_rates (base, quote, rate, source, updated) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (base, quote) DO UPDATE SET rate = $3, source = $4, updated = $5`,
    [rate.base, rate.quote, rate.rate, rate.source, rate.updated],
  );
}
