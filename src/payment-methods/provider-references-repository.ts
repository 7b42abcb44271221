import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { rowsIn, type Statement } from '../platform/statements.ts';

// What a provider keeps of a saved card for later merchant-initiated payments (payment_method_provider_references,
// db/migrations/024_setup_intents.sql): the only SQL that touches it.

export interface PaymentMethodProviderReference {
  payment_method_id: string;
  connector: string;
  /** The connector configuration; null for the built-in test processor. */
  connector_configuration_id: string | null;
  provider_token: string | null;
  shopper_reference: string | null;
  network_transaction_id: string | null;
  usage: 'on_session' | 'off_session';
  /** The setup attempt (`setatt_`) or payment attempt (`pa_`) that saved it. */
  source_attempt_id: string;
  created: number;
}

interface StoredRow extends Omit<PaymentMethodProviderReference, 'connector_configuration_id'> {
  connector_configuration_key: string;
}

/**
 * Keeps (or replaces) what a provider stored for a PaymentMethod through one configuration. A later verification or
 * saving payment through the same configuration replaces the older reference: the newest is the one to use.
 */
export async function upsertProviderReference(db: Queryable, scope: Scope, reference: PaymentMethodProviderReference): Promise<void> {
  const statement = providerReferenceUpsertStatement(scope, reference);
  await db.query(statement.text, statement.values);
}

/**
 * The upsert of a provider reference as a statement; with `onlyIfRowsIn`, a part of a combined statement that writes
 * only when that part returned a row (a payment's compare-and-set: the reference of a saving payment is kept with the
 * payment's outcome, in the same commit, or not at all).
 */
export function providerReferenceUpsertStatement(scope: Scope, reference: PaymentMethodProviderReference, onlyIfRowsIn?: string): Statement {
  return {
    text: `INSERT INTO payment_method_provider_references (account_id, livemode, payment_method_id, connector, connector_configuration_key, provider_token,
       shopper_reference, network_transaction_id, usage, source_attempt_id, created)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 WHERE ${onlyIfRowsIn ? rowsIn(onlyIfRowsIn) : 'true'}
     ON CONFLICT (payment_method_id, connector_configuration_key) DO UPDATE SET connector = EXCLUDED.connector, provider_token = EXCLUDED.provider_token,
       shopper_reference = EXCLUDED.shopper_reference, network_transaction_id = EXCLUDED.network_transaction_id, usage = EXCLUDED.usage,
       source_attempt_id = EXCLUDED.source_attempt_id, created = EXCLUDED.created
     RETURNING payment_method_id`,
    values: [scope.accountId, scope.livemode, reference.payment_method_id, reference.connector, reference.connector_configuration_id ?? '', reference.provider_token,
      reference.shopper_reference, reference.network_transaction_id, reference.usage, reference.source_attempt_id, reference.created],
  };
}

/** Every provider reference of a PaymentMethod, newest first. */
export async function listProviderReferences(db: Queryable, scope: Scope, paymentMethodId: string): Promise<PaymentMethodProviderReference[]> {
  const result = await db.query<StoredRow>(
    `SELECT * FROM payment_method_provider_references WHERE payment_method_id = $1 AND account_id = $2 AND livemode = $3 ORDER BY created DESC`,
    [paymentMethodId, scope.accountId, scope.livemode],
  );
  return result.rows.map(({ connector_configuration_key: key, ...row }) => ({
    payment_method_id: row.payment_method_id,
    connector: row.connector,
    connector_configuration_id: key === '' ? null : key,
    provider_token: row.provider_token,
    shopper_reference: row.shopper_reference,
    network_transaction_id: row.network_transaction_id,
    usage: row.usage,
    source_attempt_id: row.source_attempt_id,
    created: Number(row.created),
  }));
}
