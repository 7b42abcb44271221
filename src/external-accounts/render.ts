import type { ExternalAccountRow } from './repository.ts';

function noRequirements(): Record<string, unknown> {
  return { currently_due: [], errors: [], past_due: [], pending_verification: [] };
}

/**
 * The Stripe `bank_account` object (an external account of a connected account). Only `last4` and the keyed
 * `fingerprint` describe the number; the ciphertext never leaves the service.
 */
export function renderBankAccount(row: ExternalAccountRow): Record<string, unknown> {
  // Stripe's deleted_bank_account has only these four fields (no `account`).
  if (row.deleted) return { id: row.id, object: 'bank_account', currency: row.currency, deleted: true };
  return {
    id: row.id,
    object: 'bank_account',
    account: row.account_id,
    account_holder_name: row.account_holder_name,
    account_holder_type: row.account_holder_type,
    account_type: null,
    available_payout_methods: ['standard'],
    bank_name: row.bank_name,
    country: row.country,
    currency: row.currency,
    default_for_currency: row.default_for_currency,
    fingerprint: row.fingerprint,
    future_requirements: noRequirements(),
    last4: row.last4,
    metadata: row.metadata,
    requirements: noRequirements(),
    routing_number: row.routing_number,
    status: row.status,
  };
}
