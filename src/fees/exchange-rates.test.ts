import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createTestDatabase } from '../../test/helpers/server.ts';
import { defaultExchangeRatesFile } from '../dependencies.ts';
import type { Database } from '../platform/db.ts';
import { maximumAmount } from '../platform/money.ts';
import { convertAmount, ExchangeRates, loadRatesFile, parseRate, rateDecimalPlaces } from './exchange-rates.ts';

const scale = 10n ** BigInt(rateDecimalPlaces);

/** Independent reference: the decimal text as an exact fraction, the conversion rounded half up by quotient and remainder. */
function referenceConversion(amount: number, fromExponent: number, toExponent: number, rate: string): number {
  const [whole, fraction = ''] = rate.split('.');
  const numerator = BigInt(amount) * BigInt(whole + fraction) * 10n ** BigInt(toExponent);
  const denominator = 10n ** BigInt(fraction.length) * 10n ** BigInt(fromExponent);
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  return Number(remainder * 2n >= denominator ? quotient + 1n : quotient);
}

/** Decimal rates with at most `rateDecimalPlaces` digits after the point (what parseRate keeps exactly). */
const rateText = fc.tuple(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: rateDecimalPlaces }), fc.bigInt({ min: 0n, max: scale - 1n }))
  .map(([whole, places, digits]) => (places === 0 ? String(whole) : `${whole}.${digits.toString().padStart(rateDecimalPlaces, '0').slice(0, places)}`))
  .filter((text) => /[1-9]/.test(text));

describe('parseRate', () => {
  it('scales a positive decimal to an integer with rateDecimalPlaces digits', () => {
    assert.equal(parseRate('1'), scale);
    assert.equal(parseRate('0.92'), 9_200_000_000n);
    assert.equal(parseRate('151.5'), 1_515_000_000_000n);
    assert.equal(parseRate(' 0.308 '), 3_080_000_000n);
    assert.equal(parseRate('0.0000000001'), 1n, 'the smallest representable rate');
    // Digits beyond the tenth decimal place are dropped, never rounded into a float.
    assert.equal(parseRate('0.12345678909'), 1_234_567_890n);
    assert.equal(parseRate('12345678901234567890.5'), 12_345_678_901_234_567_890n * scale + 5_000_000_000n, 'no loss of precision for large rates');
  });

  it('refuses anything that is not a positive plain decimal', () => {
    for (const text of ['', '-1', '+1', '1e3', '.5', '1.', 'abc', '1,5', '0x10', 'NaN', 'Infinity']) {
      assert.throws(() => parseRate(text), /is not a positive decimal rate/, JSON.stringify(text));
    }
    for (const text of ['0', '0.0', '0.00000000001']) assert.throws(() => parseRate(text), /must be positive/, text);
  });
});

describe('convertAmount', () => {
  it('converts across exponents: USD 2, JPY 0, KWD 3', () => {
    assert.equal(convertAmount(1000, 'usd', 'eur', '0.92'), 920);
    assert.equal(convertAmount(1000, 'usd', 'jpy', '151.5'), 1515, '$10.00 is 1,515 yen');
    assert.equal(convertAmount(1515, 'jpy', 'usd', '0.0066'), 1000, '9.999 dollars are 999.9 cents, rounded up');
    assert.equal(convertAmount(1000, 'usd', 'kwd', '0.308'), 3080, '$10.00 is 3.080 dinars');
    assert.equal(convertAmount(3080, 'kwd', 'usd', '3.25'), 1001, '3.080 dinars at 3.25 are $10.01');
    assert.equal(convertAmount(1, 'kwd', 'jpy', '491.5'), 0, '0.4915 yen');
    assert.equal(convertAmount(2, 'kwd', 'jpy', '491.5'), 1, '0.983 yen');
    assert.equal(convertAmount(3, 'kwd', 'jpy', '491.5'), 1, '1.4745 yen');
    assert.equal(convertAmount(1000, 'jpy', 'kwd', '0.002'), 2000, '1,000 yen at 0.002 are 2.000 dinars');
    assert.equal(convertAmount(0, 'usd', 'jpy', '151.5'), 0);
    assert.equal(convertAmount(1234, 'eur', 'eur', '1'), 1234);
  });

  it('rounds exactly half up, with no floating point error', () => {
    assert.equal(convertAmount(1, 'usd', 'eur', '0.5'), 1, '0.5 rounds up');
    assert.equal(convertAmount(3, 'usd', 'eur', '0.5'), 2, '1.5 rounds up');
    assert.equal(convertAmount(5, 'usd', 'eur', '0.5'), 3, '2.5 rounds up, not to even');
    assert.equal(convertAmount(1, 'jpy', 'usd', '0.005'), 1, 'half a cent rounds up');
    assert.equal(convertAmount(1, 'jpy', 'usd', '0.0049999999'), 0, 'just under half a cent rounds down');
    assert.equal(convertAmount(1, 'usd', 'kwd', '0.05'), 1, 'half a fils rounds up');
    // 0.1 + 0.2 style traps: 1.1 * 3 is 3.3000000000000003 in floating point.
    assert.equal(convertAmount(300, 'usd', 'eur', '1.1'), 330);
    assert.equal(convertAmount(maximumAmount, 'usd', 'jpy', '151.5'), 151_499_998, '$999,999.99 is 151,499,998.485 yen');
  });

  it('matches an exact rational reference for any amount and rate (property)', () => {
    const pairs = [['usd', 2, 'jpy', 0], ['jpy', 0, 'usd', 2], ['usd', 2, 'kwd', 3], ['kwd', 3, 'jpy', 0], ['eur', 2, 'usd', 2]] as const;
    fc.assert(fc.property(fc.integer({ min: 0, max: maximumAmount }), rateText, fc.constantFrom(...pairs), (amount, rate, [from, fromExponent, to, toExponent]) => {
      assert.equal(convertAmount(amount, from, to, rate), referenceConversion(amount, fromExponent, toExponent, rate));
    }));
  });

  it('is monotonic: a larger amount never converts to less (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: maximumAmount }), fc.integer({ min: 0, max: maximumAmount }), rateText, fc.constantFrom('jpy', 'usd', 'kwd'), fc.constantFrom('jpy', 'usd', 'kwd'), (a, b, rate, from, to) => {
      const [small, large] = a <= b ? [a, b] : [b, a];
      assert.ok(convertAmount(small, from, to, rate) <= convertAmount(large, from, to, rate));
    }));
  });
});

describe('exchange rates in the database', () => {
  let database: { db: Database; drop: () => Promise<void> };
  let directory: string;
  before(async () => {
    database = await createTestDatabase();
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-rates-'));
  });
  after(async () => {
    await database.drop();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  function ratesFile(name: string, content: unknown): string {
    const file = path.join(directory, name);
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  async function storedRates(): Promise<{ base: string; quote: string; rate: string; source: string; updated: number }[]> {
    const result = await database.db.query('SELECT base, quote, rate::text AS rate, source, updated FROM exchange_rates ORDER BY base, quote');
    return result.rows;
  }

  it('loads a rates file, lower-casing codes, skipping the base and replacing earlier rates', async () => {
    const file = ratesFile('rates.json', { base: 'USD', rates: { USD: '1', EUR: '0.92', jpy: 151.5, KWD: '0.308' } });
    assert.equal(await loadRatesFile(database.db, file, 1_700_000_000), 3);
    assert.deepEqual(await storedRates(), [
      { base: 'usd', quote: 'eur', rate: '0.92', source: `file:${file}`, updated: 1_700_000_000 },
      { base: 'usd', quote: 'jpy', rate: '151.5', source: `file:${file}`, updated: 1_700_000_000 },
      { base: 'usd', quote: 'kwd', rate: '0.308', source: `file:${file}`, updated: 1_700_000_000 },
    ]);
    const update = ratesFile('update.json', { base: 'usd', rates: { eur: '0.9500' } });
    assert.equal(await loadRatesFile(database.db, update, 1_700_000_100), 1);
    const rows = await storedRates();
    assert.deepEqual(rows.find((row) => row.quote === 'eur'), { base: 'usd', quote: 'eur', rate: '0.95', source: `file:${update}`, updated: 1_700_000_100 });
    assert.equal(rows.find((row) => row.quote === 'jpy')?.rate, '151.5', 'rates not in the new file are kept');
    // Put the first file's rates back for the tests below.
    await loadRatesFile(database.db, file, 1_700_000_200);
  });

  it('refuses malformed files, naming the file and the problem', async () => {
    await assert.rejects(loadRatesFile(database.db, ratesFile('no-base.json', { rates: { eur: '0.9' } }), 0), /no-base\.json: expected \{"base"/);
    await assert.rejects(loadRatesFile(database.db, ratesFile('no-rates.json', { base: 'usd', rates: null }), 0), /no-rates\.json: expected/);
    await assert.rejects(loadRatesFile(database.db, ratesFile('unknown.json', { base: 'usd', rates: { XYZ: '2' } }), 0), /unknown\.json: unknown currency "XYZ"/);
    await assert.rejects(loadRatesFile(database.db, ratesFile('negative.json', { base: 'usd', rates: { gbp: '-0.79' } }), 0), /"-0\.79" is not a positive decimal rate/);
    await assert.rejects(loadRatesFile(database.db, ratesFile('zero.json', { base: 'usd', rates: { gbp: 0 } }), 0), /must be positive/);
    assert.throws(() => JSON.parse(fs.readFileSync(ratesFile('broken.json', '{"base": "usd",'), 'utf8')));
    await assert.rejects(loadRatesFile(database.db, path.join(directory, 'broken.json'), 0), SyntaxError);
    assert.equal((await storedRates()).some((row) => row.quote === 'gbp'), false, 'nothing of a refused file was stored');
  });

  it('loads the shipped default rates file', async () => {
    const shipped = JSON.parse(fs.readFileSync(defaultExchangeRatesFile, 'utf8')) as { base: string; rates: Record<string, string> };
    const expected = Object.keys(shipped.rates).filter((code) => code.toLowerCase() !== shipped.base.toLowerCase()).length;
    const scratch = await createTestDatabase();
    try {
      assert.equal(await loadRatesFile(scratch.db, defaultExchangeRatesFile, 1), expected);
      const rates = new ExchangeRates(scratch.db);
      assert.equal(await rates.rate('usd', 'jpy'), '151.5');
      assert.equal(await rates.rate('usd', 'kwd'), '0.308');
    } finally {
      await scratch.drop();
    }
  });

  it('finds direct, inverse and cross rates, exact to rateDecimalPlaces', async () => {
    const rates = new ExchangeRates(database.db);
    assert.equal(await rates.rate('usd', 'eur'), '0.92');
    assert.equal(await rates.rate('usd', 'jpy'), '151.5');
    assert.equal(await rates.rate('eur', 'eur'), '1');
    // Inverse: 1 / 0.92 = 1.08695652173913..., rounded half up at the tenth place.
    assert.equal(await rates.rate('eur', 'usd'), '1.0869565217');
    // 1 / 0.308 = 3.24675324675324...
    assert.equal(await rates.rate('kwd', 'usd'), '3.2467532468');
    // Cross through the base: 151.5 / 0.92 = 164.67391304347826...; 0.92 / 151.5 = 0.00607260726072...
    assert.equal(await rates.rate('eur', 'jpy'), '164.6739130435');
    assert.equal(await rates.rate('jpy', 'eur'), '0.0060726073');
    // 151.5 / 0.308 = 491.88311688311688...
    assert.equal(await rates.rate('kwd', 'jpy'), '491.8831168831');
    assert.equal(await rates.rate('usd', 'chf'), undefined, 'no rate connects them');
    assert.equal(await rates.rate('chf', 'eur'), undefined);
    // The rates found feed straight into conversion: 10.00 EUR is 10.87 USD and 1,647 yen; 1.000 KWD is 492 yen.
    assert.equal(convertAmount(1000, 'eur', 'usd', (await rates.rate('eur', 'usd'))!), 1087);
    assert.equal(convertAmount(1000, 'eur', 'jpy', (await rates.rate('eur', 'jpy'))!), 1647);
    assert.equal(convertAmount(1000, 'kwd', 'jpy', (await rates.rate('kwd', 'jpy'))!), 492);
  });

  it('prefers a direct rate over the inverse, and sees new rows after refresh', async () => {
    const rates = new ExchangeRates(database.db);
    assert.equal(await rates.rate('eur', 'usd'), '1.0869565217');
    await database.db.query("INSERT INTO exchange_rates (base, quote, rate, source, updated) VALUES ('eur', 'usd', '1.08', 'operator', 1)");
    assert.equal(await rates.rate('eur', 'usd'), '1.0869565217', 'loaded rates are used until the next refresh');
    await rates.refresh();
    assert.equal(await rates.rate('eur', 'usd'), '1.08');
    assert.equal(await rates.rate('usd', 'eur'), '0.92', 'the opposite direct rate still wins for its own direction');
    await database.db.query("DELETE FROM exchange_rates WHERE base = 'eur' AND quote = 'usd'");
  });
});
