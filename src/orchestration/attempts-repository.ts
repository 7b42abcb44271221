import type { RedirectToUrl } from '../connectors/connector.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { jsonRows, jsonRowsFrom, jsonRowsInsert, queryOf, jsonRowsGate, type PartOptions, type Statement } from '../platform/statements.ts';

export type AttemptStatus = 'pending' | 'requires_action' | 'authorized' | 'declined' | 'failed' | 'unknown';

/** One try of one connector for a charge (db/migrations/006_orchestration.sql). */
export interface AttemptRow {
  id: string;
  account_id: string;
  livemode: boolean;
  payment_intent_id: string;
  charge_id: string;
  position: number;
  connector: string;
  connector_configuration_id: string | null;
  status: AttemptStatus;
  processor_reference: string | null;
  decline_code: string | null;
  failure_code: string | null;
  detail: string | null;
  routing_reason: string;
  redirect: RedirectToUrl | null;
  latency_ms: number | null;
  started_at: Date;
  finished_at: Date | null;
  sync_count: number;
  next_sync_at: Date | null;
  /** Sent as a merchant-initiated transaction (off_session=true), referring to the card's stored setup. */
  merchant_initiated: boolean;
}

export type NewAttempt = Pick<AttemptRow, 'id' | 'payment_intent_id' | 'charge_id' | 'position' | 'connector' | 'connector_configuration_id' | 'routing_reason' | 'merchant_initiated'>;

/**
 * The INSERT of a new attempt, `pending`, due for the janitor after `firstSyncSeconds` in case this process dies
 * before it records the answer. With `onlyIfRowsIn`, only when that earlier part of the statement returned a row.
 */
export function attemptInsertStatement(scope: Scope, row: NewAttempt, firstSyncSeconds: number, options: PartOptions = {}): Statement {
  const stored = { ...row, account_id: scope.accountId, livemode: scope.livemode, first_sync_seconds: firstSyncSeconds };
  return jsonRowsInsert('payment_attempts', [
    'id', 'account_id', 'livemode', 'payment_intent_id', 'charge_id', 'position', 'connector', 'connector_configuration_id',
    ['status', `'pending'`], 'routing_reason', 'merchant_initiated', ['next_sync_at', `now() + make_interval(secs => (e->>'first_sync_seconds')::integer)`],
  ], [stored], options);
}

/** What finishing (or re-scheduling) an attempt writes. */
export interface AttemptChanges {
  status: AttemptStatus;
  processor_reference?: string | null;
  decline_code?: string | null;
  failure_code?: string | null;
  detail?: string | null;
  latency_ms?: number | null;
  redirect?: RedirectToUrl | null;
  /** Seconds until the janitor's next look (unresolved attempts only); null clears it. */
  next_sync_in_seconds?: number | null;
  /** Count this as one more janitor try. */
  synced?: boolean;
}

/**
 * The UPDATE of an attempt, only while it is still in one of `from` (so an answer is applied once); with `onlyIfRowsIn`,
 * only when that earlier part of the statement returned a row as well. JSON rows reached through `id = ANY`, planned
 * at each run, as the intent's update.
 */
export function attemptUpdateStatement(id: string, changes: AttemptChanges, from: readonly AttemptStatus[], options: PartOptions = {}): Statement {
  // The statuses it may change from, as one comma-separated text (no subquery over the row: see jsonRowsGate).
  const row: Record<string, unknown> = { id, status: changes.status, from: from.join(',') };
  const sets = ['status = r.status'];
  const set = (column: string, value: unknown) => {
    row[column] = value;
    sets.push(`${column} = r.${column}`);
  };
  if (changes.processor_reference !== undefined) set('processor_reference', changes.processor_reference);
  if (changes.decline_code !== undefined) set('decline_code', changes.decline_code);
  if (changes.failure_code !== undefined) set('failure_code', changes.failure_code);
  if (changes.detail !== undefined) set('detail', changes.detail);
  if (changes.latency_ms !== undefined) set('latency_ms', changes.latency_ms);
  if (changes.redirect !== undefined) set('redirect', changes.redirect);
  if (changes.next_sync_in_seconds !== undefined) {
    if (changes.next_sync_in_seconds === null) sets.push('next_sync_at = NULL');
    else {
      row.next_sync_in_seconds = changes.next_sync_in_seconds;
      sets.push(`next_sync_at = now() + make_interval(secs => (e->>'next_sync_in_seconds')::integer)`);
    }
  }
  if (changes.synced) sets.push('sync_count = a.sync_count + 1');
  if (changes.status !== 'pending' && changes.status !== 'unknown') sets.push('finished_at = now()');
  if (options.gateKey !== undefined) row.gate = options.gateKey;
  const gate = jsonRowsGate(options);
  return {
    text: `UPDATE payment_attempts a SET ${sets.join(', ')} FROM ${jsonRowsFrom('$1', 'payment_attempts')}${gate.from}
      WHERE a.id = ANY ($2::text[]) AND a.id = r.id AND a.status = ANY (string_to_array(e->>'from', ',')) AND ${gate.condition} RETURNING a.*`,
    values: [jsonRows([row]), [id]],
    oneShot: true,
  };
}

export async function updateAttempt(db: Queryable, id: string, changes: AttemptChanges, from: readonly AttemptStatus[]): Promise<AttemptRow | undefined> {
  const statement = attemptUpdateStatement(id, changes, from);
  return (await db.query<AttemptRow>(queryOf(statement))).rows[0];
}

export async function findAttempt(db: Queryable, id: string): Promise<AttemptRow | undefined> {
  return (await db.query<AttemptRow>('SELECT * FROM payment_attempts WHERE id = $1', [id])).rows[0];
}

export async function findAttemptByReference(db: Queryable, configurationId: string, processorReference: string): Promise<AttemptRow | undefined> {
  const result = await db.query<AttemptRow>(
    'SELECT * FROM payment_attempts WHERE connector_configuration_id = $1 AND processor_reference = $2 ORDER BY started_at DESC LIMIT 1',
    [configurationId, processorReference],
  );
  return result.rows[0];
}

export async function listChargeAttempts(db: Queryable, chargeId: string): Promise<AttemptRow[]> {
  return (await db.query<AttemptRow>('SELECT * FROM payment_attempts WHERE charge_id = $1 ORDER BY position', [chargeId])).rows;
}

/**
 * Unresolved attempts the janitor should look at now: those due on their schedule, and (with `startedSecondsAgo`) any
 * started at least that long ago. Janitors may run side by side: an answer is applied with a compare-and-set, once.
 */
export async function findDueAttempts(db: Queryable, limit: number, startedSecondsAgo: number | null = null): Promise<AttemptRow[]> {
  const result = await db.query<AttemptRow>(
    `SELECT * FROM payment_attempts WHERE status IN ('pending', 'unknown')
       AND (next_sync_at <= now() OR ($2::integer IS NOT NULL AND started_at <= now() - make_interval(secs => $2::integer)))
     ORDER BY next_sync_at LIMIT $1`,
    [limit, startedSecondsAgo],
  );
  return result.rows;
}
