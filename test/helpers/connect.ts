import assert from 'node:assert/strict';
import type Stripe from 'stripe';
import { verifyLedger } from '../../src/ledger/verify.ts';
import type { Queryable } from '../../src/platform/db.ts';

// What the Connect money tests share: an onboarded seller, a US balance read with or without Stripe-Account, and the
// ledger's own check.

/** Stripe's test values that verify at once (src/connect/verification.ts). */
export const verifiedIndividual = {
  first_name: 'Jenny', last_name: 'Rosen', email: 'jenny@example.com', phone: '+15555550100',
  dob: { day: 1, month: 1, year: 1902 }, id_number: '222222222',
  address: { line1: 'address_full_match', city: 'San Francisco', state: 'CA', postal_code: '94111', country: 'US' },
};

/** Stripe's US test bank account. */
export const usBankAccount = { object: 'bank_account', country: 'US', currency: 'usd', account_number: '000123456789', routing_number: '110000000' } as Stripe.AccountCreateParams['external_account'];

/** A US Custom account onboarded with Stripe's immediate test values: card_payments and transfers active. */
export async function onboardedSeller(stripe: Stripe, extra: Partial<Stripe.AccountCreateParams> = {}): Promise<Stripe.Account> {
  return stripe.accounts.create({
    type: 'custom', country: 'US', email: 'seller@example.com',
    capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
    business_type: 'individual', business_profile: { mcc: '5734', url: 'https://seller.example.com' },
    individual: verifiedIndividual, tos_acceptance: { date: 1_700_000_000, ip: '203.0.113.9' }, external_account: usBankAccount,
    ...extra,
  });
}

/** The platform's (or, with `accountId`, a connected account's) `available` or `pending` USD balance. */
export async function usdBalance(stripe: Stripe, kind: 'available' | 'pending', accountId?: string): Promise<number> {
  const balance = await stripe.balance.retrieve({}, accountId ? { stripeAccount: accountId } : {});
  return balance[kind].find((entry) => entry.currency === 'usd')?.amount ?? 0;
}

/** `ledger verify` finds nothing wrong. */
export async function expectLedgerClean(db: Queryable): Promise<void> {
  const report = await verifyLedger(db);
  assert.deepEqual(report.problems, []);
  assert.ok(report.ok);
}
