import type { Queryable } from '../platform/db.ts';

/** The sandbox bank rail's own records (sandbox_payout_transfers): one transfer per idempotency key. */

export interface SandboxTransferRow {
  idempotency_key: string;
  reference: string;
  amount: number;
  currency: string;
  account_number_last4: string;
  outcome: string;
  created: number;
}

/** Records a transfer unless one with its idempotency key exists (a retried submission keeps the first). */
export async function insertSandboxTransferOnce(db: Queryable, transfer: SandboxTransferRow): Promise<void> {
  await db.query(
    `INSERT INTO sandbox_payout_transfers (idempotency_key, reference, amount, currency, account_number_last4, outcome, created)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
    [transfer.idempotency_key, transfer.reference, transfer.amount, transfer.currency, transfer.account_number_last4, transfer.outcome, transfer.created],
  );
}

export async function findSandboxTransferByKey(db: Queryable, idempotencyKey: string): Promise<SandboxTransferRow | undefined> {
  return (await db.query<SandboxTransferRow>('SELECT * FROM sandbox_payout_transfers WHERE idempotency_key = $1', [idempotencyKey])).rows[0];
}

export async function findSandboxTransferByReference(db: Queryable, reference: string): Promise<SandboxTransferRow | undefined> {
  return (await db.query<SandboxTransferRow>('SELECT * FROM sandbox_payout_transfers WHERE reference = $1', [reference])).rows[0];
}
