import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { SetupAttemptRow, SetupAttemptStatus, SetupChallengeRow, SetupIntentRow, SetupIntentStatus } from './types.ts';

// The only SQL that touches setup_intents, setup_attempts and setup_authentication_challenges. Every lookup by id is
// scoped to the caller's account and mode, compared with IS NOT DISTINCT FROM so the primary key is the only index
// path (docs/architecture.md, generic plans).

const intentColumns = [
  'status', 'customer_id', 'payment_method_id', 'payment_method_types', 'usage', 'description', 'metadata', 'return_url',
  'payment_method_options', 'mandate_data', 'mandate_id', 'attach_to_self', 'last_setup_error', 'next_action', 'latest_attempt_id', 'cancellation_reason',
] as const satisfies readonly (keyof SetupIntentRow)[];

type IntentColumn = (typeof intentColumns)[number];
const jsonColumns = new Set<string>(['metadata', 'payment_method_options', 'mandate_data', 'last_setup_error', 'next_action']);

/** JSON columns are sent as JSON text: node-postgres would send a JavaScript array as a PostgreSQL array. */
function columnValue(column: string, value: unknown): unknown {
  return jsonColumns.has(column) && value !== null && value !== undefined ? JSON.stringify(value) : value;
}

export async function insertSetupIntent(db: Queryable, row: SetupIntentRow): Promise<SetupIntentRow> {
  const columns = ['id', 'account_id', 'livemode', 'client_secret', 'created', ...intentColumns];
  const values = columns.map((column) => columnValue(column, row[column as keyof SetupIntentRow]));
  const result = await db.query<SetupIntentRow>(
    `INSERT INTO setup_intents (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')}) RETURNING *`,
    values,
  );
  return result.rows[0];
}

export async function findSetupIntent(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<SetupIntentRow | undefined> {
  const result = await db.query<SetupIntentRow>(
    `SELECT * FROM setup_intents WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/**
 * Updates a SetupIntent's changed columns. With `expect`, only while it is still in that status with that latest
 * attempt (a compare-and-set: an attempt's outcome is applied once, whoever brings it); undefined when it no longer is.
 */
export async function updateSetupIntent(
  db: Queryable,
  current: Pick<SetupIntentRow, 'id' | 'account_id' | 'livemode'>,
  changes: Partial<Pick<SetupIntentRow, IntentColumn>>,
  expect?: { status: SetupIntentStatus; latestAttemptId: string },
): Promise<SetupIntentRow | undefined> {
  const sets = ['updated_at = now()'];
  const values: unknown[] = [current.id, current.account_id, current.livemode];
  for (const column of intentColumns) {
    if (!(column in changes)) continue;
    values.push(columnValue(column, changes[column] ?? null));
    sets.push(`${column} = $${values.length}`);
  }
  let condition = '';
  if (expect) {
    values.push(expect.status, expect.latestAttemptId);
    condition = ` AND status = $${values.length - 1} AND latest_attempt_id = $${values.length}`;
  }
  const result = await db.query<SetupIntentRow>(
    `UPDATE setup_intents SET ${sets.join(', ')} WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)${condition} RETURNING *`,
    values,
  );
  return result.rows[0];
}

export function listSetupIntents(db: Queryable, scope: Scope, page: PageRequest, filters: { customer?: string; paymentMethod?: string; attachToSelf?: boolean }): Promise<Page<SetupIntentRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.customer !== undefined) conditions.push({ sql: 'customer_id = $?', value: filters.customer });
  if (filters.paymentMethod !== undefined) conditions.push({ sql: 'payment_method_id = $?', value: filters.paymentMethod });
  if (filters.attachToSelf !== undefined) conditions.push({ sql: 'attach_to_self = $?', value: filters.attachToSelf });
  return listPage<SetupIntentRow>(db, { table: 'setup_intents', objectName: 'setup_intent', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}

// --- attempts ------------------------------------------------------------------------------------------------------

const attemptInsertColumns = [
  'id', 'account_id', 'livemode', 'setup_intent_id', 'payment_method_id', 'customer_id', 'usage', 'attach_to_self', 'status',
  'connector', 'connector_configuration_id', 'verification_currency', 'payment_method_details', 'created',
] as const satisfies readonly (keyof SetupAttemptRow)[];

/**
 * Records an attempt as `processing` before its provider is asked, due for a look after `firstSyncSeconds` should
 * this process die before it records the answer.
 */
export async function insertSetupAttempt(db: Queryable, row: Pick<SetupAttemptRow, (typeof attemptInsertColumns)[number]>, firstSyncSeconds: number): Promise<SetupAttemptRow> {
  const values: unknown[] = attemptInsertColumns.map((column) => (column === 'payment_method_details' ? JSON.stringify(row[column]) : row[column]));
  values.push(firstSyncSeconds);
  const result = await db.query<SetupAttemptRow>(
    `INSERT INTO setup_attempts (${attemptInsertColumns.join(', ')}, next_sync_at)
     VALUES (${attemptInsertColumns.map((_, index) => `$${index + 1}`).join(', ')}, now() + make_interval(secs => $${values.length}::integer)) RETURNING *`,
    values,
  );
  return result.rows[0];
}

export interface SetupAttemptChanges {
  status: SetupAttemptStatus;
  processor_reference?: string | null;
  redirect?: SetupAttemptRow['redirect'];
  setup_error?: SetupAttemptRow['setup_error'];
  payment_method_details?: Record<string, unknown>;
  /** Seconds until the next look at an unresolved attempt; null takes it off the schedule. */
  next_sync_in_seconds?: number | null;
  synced?: boolean;
}

/** Updates an attempt only while it is in one of `from` (an answer is recorded once); undefined otherwise. */
export async function updateSetupAttempt(db: Queryable, id: string, changes: SetupAttemptChanges, from: readonly SetupAttemptStatus[]): Promise<SetupAttemptRow | undefined> {
  const values: unknown[] = [id, from, changes.status];
  const sets = ['status = $3'];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  if (changes.processor_reference !== undefined) set('processor_reference', changes.processor_reference);
  if (changes.redirect !== undefined) set('redirect', changes.redirect === null ? null : JSON.stringify(changes.redirect));
  if (changes.setup_error !== undefined) set('setup_error', changes.setup_error === null ? null : JSON.stringify(changes.setup_error));
  if (changes.payment_method_details !== undefined) set('payment_method_details', JSON.stringify(changes.payment_method_details));
  if (changes.next_sync_in_seconds !== undefined) {
    if (changes.next_sync_in_seconds === null) sets.push('next_sync_at = NULL');
    else {
      values.push(changes.next_sync_in_seconds);
      sets.push(`next_sync_at = now() + make_interval(secs => $${values.length}::integer)`);
    }
  }
  if (changes.synced) sets.push('sync_count = sync_count + 1');
  if (changes.status !== 'processing' && changes.status !== 'requires_action') sets.push('finished_at = now()');
  const result = await db.query<SetupAttemptRow>(`UPDATE setup_attempts SET ${sets.join(', ')} WHERE id = $1 AND status = ANY ($2::text[]) RETURNING *`, values);
  return result.rows[0];
}

export async function findSetupAttempt(db: Queryable, id: string): Promise<SetupAttemptRow | undefined> {
  return (await db.query<SetupAttemptRow>('SELECT * FROM setup_attempts WHERE id = $1', [id])).rows[0];
}

/** An attempt of the caller's account and mode (an expanded `latest_attempt`). */
export async function findScopedSetupAttempt(db: Queryable, scope: Scope, id: string): Promise<SetupAttemptRow | undefined> {
  const result = await db.query<SetupAttemptRow>('SELECT * FROM setup_attempts WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
  return result.rows[0];
}

export function listSetupAttempts(db: Queryable, scope: Scope, page: PageRequest, setupIntentId: string): Promise<Page<SetupAttemptRow>> {
  return listPage<SetupAttemptRow>(
    db,
    { table: 'setup_attempts', objectName: 'setup_attempt', accountId: scope.accountId, livemode: scope.livemode, conditions: [{ sql: 'setup_intent_id = $?', value: setupIntentId }] },
    page,
  );
}

/** Attempts still waiting for a provider's definite answer whose time to be asked again has come. */
export async function findDueSetupAttempts(db: Queryable, limit: number): Promise<SetupAttemptRow[]> {
  const result = await db.query<SetupAttemptRow>(
    `SELECT * FROM setup_attempts WHERE status = 'processing' AND next_sync_at <= now() ORDER BY next_sync_at LIMIT $1`,
    [limit],
  );
  return result.rows;
}

// --- the test processor's 3-D Secure challenges ---------------------------------------------------------------------

export async function insertSetupChallenge(db: Queryable, challenge: SetupChallengeRow): Promise<void> {
  await db.query(
    `INSERT INTO setup_authentication_challenges (id, account_id, livemode, setup_intent_id, setup_attempt_id, status, return_url, created)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [challenge.id, challenge.account_id, challenge.livemode, challenge.setup_intent_id, challenge.setup_attempt_id, challenge.status, challenge.return_url, challenge.created],
  );
}

/** A setup challenge of the test processor's page; never a live one (the page authenticates for anyone who posts). */
export async function findSetupChallenge(db: Queryable, id: string): Promise<SetupChallengeRow | undefined> {
  return (await db.query<SetupChallengeRow>('SELECT * FROM setup_authentication_challenges WHERE id = $1 AND NOT livemode', [id])).rows[0];
}

/** Takes a pending challenge for answering under its row lock; false when gone, live or answered already. */
export async function claimSetupChallenge(db: Queryable, id: string, status: 'succeeded' | 'failed'): Promise<boolean> {
  const result = await db.query(
    `UPDATE setup_authentication_challenges SET status = $2 WHERE id = $1 AND NOT livemode AND status = 'pending' RETURNING id`,
    [id, status],
  );
  return (result.rowCount ?? 0) > 0;
}

/** The customer's answer to an attempt's challenge, once given (asking the provider again passes it on). */
export async function findAnsweredSetupChallenge(db: Queryable, attemptId: string): Promise<{ status: 'succeeded' | 'failed' } | undefined> {
  const result = await db.query<{ status: 'succeeded' | 'failed' }>(
    `SELECT status FROM setup_authentication_challenges WHERE setup_attempt_id = $1 AND status IN ('succeeded', 'failed')`,
    [attemptId],
  );
  return result.rows[0];
}

/** A canceled (or re-confirmed) SetupIntent's challenges still waiting for the customer: the page no longer answers them. */
export async function abandonSetupChallenges(db: Queryable, setupIntentId: string): Promise<void> {
  await db.query(`UPDATE setup_authentication_challenges SET status = 'abandoned' WHERE setup_intent_id = $1 AND status = 'pending'`, [setupIntentId]);
}
