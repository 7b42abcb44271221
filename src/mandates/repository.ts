import type { Queryable } from '../platform/db.ts';
import { jsonRowsInsert, rowsIn, run, type PartOptions, type Statement } from '../platform/statements.ts';
import type { Scope } from '../platform/scope.ts';

/** Stripe's `customer_acceptance` of a mandate, as stored. */
export interface CustomerAcceptance {
  accepted_at: number;
  type: 'online' | 'offline';
  online: { ip_address: string; user_agent: string } | null;
}

export interface MandateRow {
  id: string;
  account_id: string;
  livemode: boolean;
  payment_method_id: string;
  payment_method_type: string;
  type: 'multi_use' | 'single_use';
  status: 'active' | 'inactive' | 'pending';
  /** The mandate reference quoted by the SEPA pre-notification (unique). */
  reference: string;
  customer_acceptance: CustomerAcceptance;
  single_use: { amount: number; currency: string } | null;
  created: number;
}

const mandateColumns = ['id', 'account_id', 'livemode', 'payment_method_id', 'payment_method_type', 'type', 'status', 'reference', 'customer_acceptance', 'single_use', 'created'];

/** Writes a new mandate, as one part of a confirmation's statement (gated like its other parts). */
export function mandateInsertStatement(row: MandateRow, options: PartOptions = {}): Statement {
  return jsonRowsInsert('mandates', mandateColumns, [{ ...row }], options);
}

/** Writes a new mandate on its own (a SetupIntent's, inside the confirmation's transaction). */
export async function insertMandate(db: Queryable, row: MandateRow): Promise<void> {
  await run(db, mandateInsertStatement(row));
}

export async function findMandate(db: Queryable, scope: Scope, id: string): Promise<MandateRow | undefined> {
  const result = await db.query<MandateRow>(
    'SELECT * FROM mandates WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)',
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/**
 * The PaymentMethod's latest multi-use mandate, whatever its status: an off-session payment debits under it when it is
 * active, and is refused when the bank made it inactive.
 */
export async function findLatestMultiUseMandate(db: Queryable, scope: Scope, paymentMethodId: string): Promise<MandateRow | undefined> {
  const result = await db.query<MandateRow>(
    `SELECT * FROM mandates WHERE payment_method_id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) AND type = 'multi_use'
     ORDER BY created DESC, id DESC LIMIT 1`,
    [paymentMethodId, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/** A mandate by id alone, for its hosted page (whose URL carries a token bound to the id: mandates/page-url.ts). */
export async function findMandateForPage(db: Queryable, id: string): Promise<MandateRow | undefined> {
  const result = await db.query<MandateRow>('SELECT * FROM mandates WHERE id = $1', [id]);
  return result.rows[0];
}

/**
 * Marks an active mandate `inactive` (the bank reported the account closed or the debit not authorized), as one part of
 * the statement that applies the failed debit, only when the part `onlyIfRowsIn` (the payment's gate) returned a row.
 * Returns the mandate's id when it changed, so its `mandate.updated` event is written only then.
 */
export function mandateDeactivateStatement(scope: Scope, id: string, onlyIfRowsIn: string): Statement {
  return {
    text: `UPDATE mandates SET status = 'inactive' WHERE id = $1::text AND (account_id, livemode) IS NOT DISTINCT FROM ($2::text, $3::boolean)
           AND status = 'active' AND ${rowsIn(onlyIfRowsIn)} RETURNING id`,
    values: [id, scope.accountId, scope.livemode],
  };
}
