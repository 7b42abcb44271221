import { expireDisplayedPayments } from '../payments/display-expiry.ts';
import { payDueTestDisplays } from '../payments/display-test-payment.ts';
import type { Config } from '../config.ts';
import type { Dependencies } from '../dependencies.ts';
import { purgeExpiredKeys } from '../api/idempotency.ts';
import { sweepCheckoutSessions } from '../checkout/sweep.ts';
import { sweepConnectReserves } from '../connect/reserves.ts';
import { reviewDueAccounts } from '../connect/review.ts';
import { expirePastDueDisputes } from '../disputes/deadline.ts';
import { openDueDisputes } from '../disputes/open.ts';
import { runLedgerJobs } from '../ledger/jobs.ts';
import { resolveStuckAttempts } from '../orchestration/janitor.ts';
import { resolvePendingRefunds } from '../refunds/service.ts';
import { resolveStuckSetupAttempts } from '../setup-intents/confirm.ts';
import { deleteExpiredSecurityCodes } from '../payment-methods/security-codes-repository.ts';

/** How many due setup attempts one janitor round asks about (the rest wait for the next round). */
const setupAttemptsPerSweep = 100;

/** One piece of background work, run once per period by whichever Payrail process picks its job. */
export interface Sweep {
  /** Its row in `sweeps`; its graphile-worker task identifier and job key are `sweep_<name>`. */
  name: string;
  periodMs: number;
  /** Runs one round; returns a line worth logging, if any. Safe to run side by side with itself (SKIP LOCKED, compare-and-set). */
  run(deps: Dependencies): Promise<string | undefined>;
}

/**
 * Payrail's sweeps, with the periods of the configuration: the janitor resolves attempts left without a definite
 * answer (an ambiguous provider answer, or a crash of a Payrail process), payments' and SetupIntents', by asking the provider on a backoff schedule;
 * pending refunds are asked about; idempotency keys past their retention are purged; Checkout Sessions paid but left
 * open are completed and those past their expiry expired; connected accounts whose identity verification is due are
 * verified and evaluated again; platforms hold in reserve what their connected accounts' negative balances come to
 * (src/connect/reserves.ts); disputes are opened for
 * the test processor's dispute test cards and lost past their due date; the ledger jobs make matured
 * funds available, create and advance scheduled payouts and seal entries.
 */
export function sweepsOf(config: Pick<Config, 'maintenanceIntervalMs' | 'ledgerIntervalMs'>): Sweep[] {
  return [
    {
      name: 'janitor',
      periodMs: config.maintenanceIntervalMs,
      run: async (deps) => {
        const resolved = await resolveStuckAttempts(deps);
        // SetupIntents' card verifications left in flight, on the same backoff schedule (replays, never a second verification).
        const setups = await resolveStuckSetupAttempts(deps, setupAttemptsPerSweep);
        // Boleto vouchers and Pix QR codes past their expiry end the wait (payment_intent.payment_failed).
        const expired = await expireDisplayedPayments(deps);
        // Card security codes no authorization used within their hour are deleted (docs/security.md).
        const codes = await deleteExpiredSecurityCodes(deps.db, deps.clock.nowSeconds());
        // Test-mode boleto vouchers and Pix codes whose simulated customer (Stripe's test e-mails) pays now.
        const paid = await payDueTestDisplays(deps);
        const lines = [
          resolved > 0 ? `resolved ${resolved} payment attempt(s) left in flight` : '', setups > 0 ? `resolved ${setups} setup attempt(s) left in flight` : '',
          expired > 0 ? `expired ${expired} unpaid voucher(s) or QR code(s)` : '', paid > 0 ? `paid ${paid} test voucher(s) by their simulated customer` : '',
          codes > 0 ? `deleted ${codes} unused card security code(s)` : '',
        ].filter(Boolean);
        return lines.length > 0 ? lines.join('; ') : undefined;
      },
    },
    {
      name: 'pending_refunds',
      periodMs: config.maintenanceIntervalMs,
      run: async (deps) => {
        await resolvePendingRefunds(deps);
        return undefined;
      },
    },
    {
      name: 'idempotency_keys',
      periodMs: config.maintenanceIntervalMs,
      run: async (deps) => {
        await purgeExpiredKeys(deps.db);
        return undefined;
      },
    },
    {
      name: 'checkout_sessions',
      periodMs: config.maintenanceIntervalMs,
      run: async (deps) => {
        const { completed, expired } = await sweepCheckoutSessions(deps);
        return completed + expired > 0 ? `checkout sessions: ${completed} completed after their payment, ${expired} expired` : undefined;
      },
    },
    {
      name: 'connect_accounts',
      periodMs: config.maintenanceIntervalMs,
      run: async (deps) => {
        const changed = await reviewDueAccounts(deps);
        return changed > 0 ? `connected accounts: ${changed} reviewed after verification` : undefined;
      },
    },
    {
      name: 'connect_reserves',
      periodMs: config.maintenanceIntervalMs,
      run: async (deps) => {
        const { reserveChanges, cleared } = await sweepConnectReserves(deps);
        return reserveChanges + cleared > 0 ? `connect reserves: ${reserveChanges} changed, ${cleared} negative balance(s) cleared after 180 days` : undefined;
      },
    },
    {
      // Disputes (docs/disputes.md): the test processor's dispute test cards get their disputes after capture, and
      // disputes left unanswered past their due date are lost.
      name: 'disputes',
      periodMs: config.maintenanceIntervalMs,
      run: async (deps) => {
        const opened = await openDueDisputes(deps);
        const expired = await expirePastDueDisputes(deps);
        return opened + expired > 0 ? `disputes: ${opened} opened, ${expired} lost past their due date` : undefined;
      },
    },
    {
      name: 'ledger',
      periodMs: config.ledgerIntervalMs,
      run: async (deps) => {
        await runLedgerJobs(deps);
        return undefined;
      },
    },
  ];
}
