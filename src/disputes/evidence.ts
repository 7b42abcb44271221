import { findFile } from '../files/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';

/**
 * Stripe's `dispute_evidence`: text fields (with Stripe's length limits) and file fields, which name a `file_` id of
 * the account's uploaded files with purpose `dispute_evidence`.
 */
export const evidenceTextFields: Readonly<Record<string, number>> = {
  access_activity_log: 20_000, billing_address: 5_000, cancellation_policy_disclosure: 20_000, cancellation_rebuttal: 20_000,
  customer_email_address: 5_000, customer_name: 5_000, customer_purchase_ip: 5_000, duplicate_charge_explanation: 20_000, duplicate_charge_id: 5_000,
  product_description: 20_000, refund_policy_disclosure: 20_000, refund_refusal_explanation: 20_000, service_date: 5_000, shipping_address: 5_000,
  shipping_carrier: 5_000, shipping_date: 5_000, shipping_tracking_number: 5_000, uncategorized_text: 20_000,
};

export const evidenceFileFields = [
  'cancellation_policy', 'customer_communication', 'customer_signature', 'duplicate_charge_documentation', 'receipt', 'refund_policy',
  'service_documentation', 'shipping_documentation', 'uncategorized_file',
] as const;

export const evidenceFields: readonly string[] = [...Object.keys(evidenceTextFields), ...evidenceFileFields].sort();

/** Stripe's limit on all the evidence text of a dispute together. */
export const evidenceCharactersMax = 150_000;

/**
 * The evidence after an update: given fields replace stored ones, an empty value clears one. Every file field must
 * name a dispute_evidence file of the account; the text of all fields together stays within Stripe's limit.
 */
export async function mergeEvidence(db: Queryable, scope: Scope, current: Record<string, string>, update: Record<string, string | null | undefined>): Promise<Record<string, string>> {
  const merged: Record<string, string> = { ...current };
  for (const [field, value] of Object.entries(update)) {
    if (value === undefined) continue;
    if (value === null || value === '') {
      delete merged[field];
      continue;
    }
    if ((evidenceFileFields as readonly string[]).includes(field)) {
      const file = await findFile(db, scope, value);
      if (!file) throw new ApiError('resource_missing', `No such file upload: '${value}'`, { param: `evidence[${field}]` });
      if (file.purpose !== 'dispute_evidence') {
        throw new ApiError('invalid_value', `The file ${value} was uploaded with purpose ${file.purpose}: dispute evidence takes files uploaded with purpose dispute_evidence.`, { param: `evidence[${field}]` });
      }
    }
    merged[field] = value;
  }
  const characters = Object.entries(merged).filter(([field]) => Object.hasOwn(evidenceTextFields, field)).reduce((sum, [, value]) => sum + value.length, 0);
  if (characters > evidenceCharactersMax) {
    throw new ApiError('invalid_value', `The combined character count of all evidence fields is limited to ${evidenceCharactersMax} (got ${characters}).`, { param: 'evidence' });
  }
  return merged;
}

/** Whether any evidence was given (Stripe's `evidence_details.has_evidence`). */
export function hasEvidence(evidence: Record<string, string>): boolean {
  return Object.keys(evidence).length > 0;
}

/**
 * How the bank decides a submitted dispute in test mode, after Stripe's testing docs: `uncategorized_text` of
 * `winning_evidence` wins it, `losing_evidence` loses it; any other evidence leaves it under review (as a real
 * bank's decision would, for weeks). Live mode has no such values: a dispute waits for the bank.
 */
export function testModeDecision(livemode: boolean, evidence: Record<string, string>): 'won' | 'lost' | undefined {
  if (livemode) return undefined;
  if (evidence.uncategorized_text === 'winning_evidence') return 'won';
  if (evidence.uncategorized_text === 'losing_evidence') return 'lost';
  return undefined;
}
