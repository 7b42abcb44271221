import { recordEvents } from '../events/service.ts';
import { findCharge, type ChargeRow } from '../payments/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { missing } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import { findEarlyFraudWarning, insertEarlyFraudWarning, listEarlyFraudWarnings, type EarlyFraudWarningRow } from './early-fraud-warnings-repository.ts';

// Early fraud warnings (Stripe's /v1/radar/early_fraud_warnings): an issuer's report that a captured charge was
// fraud, before any dispute. Only the test processor's early-fraud-warning test card makes one so far.

/**
 * The issuer's fraud type of a test warning. Stripe's test card gives one of its fraud types without documenting
 * which; Payrail reports `made_with_stolen_card`.
 */
export const testFraudType = 'made_with_stolen_card';

/** A warning with what its `actionable` depends on: its charge. */
export interface EarlyFraudWarningView {
  warning: EarlyFraudWarningRow;
  charge: Pick<ChargeRow, 'disputed' | 'amount_captured' | 'amount_refunded'> | undefined;
}

/** The Stripe `radar.early_fraud_warning` object. */
export function renderEarlyFraudWarning(view: EarlyFraudWarningView): Record<string, unknown> {
  const charge = view.charge;
  return {
    id: view.warning.id,
    object: 'radar.early_fraud_warning',
    // Stripe: actionable while the charge has not been disputed nor fully refunded (the merchant may still refund it).
    actionable: charge !== undefined && charge.disputed !== true && charge.amount_refunded < charge.amount_captured,
    charge: view.warning.charge_id,
    created: view.warning.created,
    fraud_type: view.warning.fraud_type,
    livemode: view.warning.livemode,
    payment_intent: view.warning.payment_intent_id,
  };
}

async function viewOf(db: Queryable, scope: Scope, warning: EarlyFraudWarningRow): Promise<EarlyFraudWarningView> {
  return { warning, charge: await findCharge(db, scope, warning.charge_id) };
}

/** Writes the warning of a charge in the caller's transaction (the disputes sweep's), with its event; at most one per charge. */
export async function openEarlyFraudWarning(client: Queryable, scope: Scope, charge: ChargeRow, now: number): Promise<EarlyFraudWarningRow | undefined> {
  const warning = await insertEarlyFraudWarning(client, {
    id: newId('issfr'), account_id: scope.accountId, livemode: scope.livemode, charge_id: charge.id, payment_intent_id: charge.payment_intent_id, fraud_type: testFraudType, created: now,
  });
  if (!warning) return undefined;
  await recordEvents(client, scope, undefined, [{ type: 'radar.early_fraud_warning.created', object: renderEarlyFraudWarning({ warning, charge }) }]);
  return warning;
}

export async function retrieveEarlyFraudWarning(db: Queryable, scope: Scope, id: string): Promise<EarlyFraudWarningView> {
  const warning = await findEarlyFraudWarning(db, scope, id);
  if (!warning) throw missing('early_fraud_warning', id, 'early_fraud_warning');
  return viewOf(db, scope, warning);
}

export async function listEarlyFraudWarningPage(db: Queryable, scope: Scope, page: PageRequest, filters: { charge?: string; payment_intent?: string }): Promise<Page<EarlyFraudWarningView>> {
  const result = await listEarlyFraudWarnings(db, scope, page, filters);
  const rows: EarlyFraudWarningView[] = [];
  for (const warning of result.rows) rows.push(await viewOf(db, scope, warning));
  return { ...result, rows };
}
