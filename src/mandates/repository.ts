import type { Queryable } from '../platform/db.ts';
import { jsonRowsInsert, type PartOptions, type Statement } from '../platform/statements.ts';
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

export async function findMandate(db: Queryable, scope: Scope, id: string): Promise<MandateRow | undefined> {
  const result = await db.query<MandateRow>(
    'SELECT * FROM mandates WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)',
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/** The PaymentMethod's latest active multi-use mandate: what an off-session payment debits under. */
export async function findReusableMandate(db: Queryable, scope: Scope, paymentMethodId: string): Promise<MandateRow | undefined> {
  const result = await db.query<MandateRow>(
    `SELECT * FROM mandates WHERE payment_method_id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) AND type = 'multi_use' AND status = 'active'
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
