import { evidenceFields } from './evidence.ts';
import type { DisputeRow } from './repository.ts';

/** Dispute statuses of an inquiry (Stripe's `warning_*`): no funds move. */
export function isInquiry(row: Pick<DisputeRow, 'status'>): boolean {
  return row.status.startsWith('warning_');
}

/** The Stripe `dispute` object; `balance_transactions` are rendered whole, as Stripe embeds them. */
export function renderDispute(row: DisputeRow, balanceTransactions: Record<string, unknown>[], now: number): Record<string, unknown> {
  const evidence: Record<string, string | null> = {};
  for (const field of evidenceFields) evidence[field] = row.evidence[field] ?? null;
  const waiting = row.status === 'needs_response' || row.status === 'warning_needs_response';
  return {
    id: row.id,
    object: 'dispute',
    amount: row.amount,
    balance_transactions: balanceTransactions,
    charge: row.charge_id,
    created: row.created,
    currency: row.currency,
    evidence,
    evidence_details: {
      due_by: row.due_by,
      has_evidence: Object.keys(row.evidence).length > 0,
      past_due: waiting && row.due_by !== null && now > row.due_by,
      submission_count: row.submission_count,
    },
    is_charge_refundable: row.is_charge_refundable,
    livemode: row.livemode,
    metadata: row.metadata,
    payment_intent: row.payment_intent_id,
    reason: row.reason,
    status: row.status,
  };
}
