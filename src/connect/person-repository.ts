import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import { relationshipFilters, type PersonRow, type RelationshipFilter } from './person-types.ts';

// The `connect_persons` table (db/migrations/037_connect_persons.sql): the only SQL that touches it. A person is
// owned by its connected account (`account_id`) in one mode; the encrypted secrets never travel with a row.

const rowColumns = 'id, account_id, livemode, details, relationship, metadata, created';

/** bigint columns come back as strings; a list reads `*`, so the secrets are dropped here. */
function normalized(row: PersonRow & { secrets_encrypted?: Buffer | null; seq?: unknown }): PersonRow {
  const { secrets_encrypted: _secrets, seq: _seq, ...rest } = row;
  return { ...rest, created: Number(row.created) };
}

export async function insertPerson(db: Queryable, row: PersonRow, secrets: Buffer | null): Promise<PersonRow> {
  const result = await db.query<PersonRow>(
    `INSERT INTO connect_persons (id, account_id, livemode, details, relationship, secrets_encrypted, metadata, created)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${rowColumns}`,
    [row.id, row.account_id, row.livemode, JSON.stringify(row.details), JSON.stringify(row.relationship), secrets, JSON.stringify(row.metadata), row.created],
  );
  return normalized(result.rows[0]);
}

/** A person of the account in `scope` (the connected account and its mode), or undefined. */
export async function findPerson(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<PersonRow | undefined> {
  const result = await db.query<PersonRow>(
    `SELECT ${rowColumns} FROM connect_persons WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)${options.forUpdate ? ' FOR NO KEY UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0] ? normalized(result.rows[0]) : undefined;
}

/** The person's encrypted id number and SSN last four (a JSON document), or null. */
export async function findPersonSecrets(db: Queryable, scope: Scope, id: string): Promise<Buffer | null> {
  const result = await db.query<{ secrets_encrypted: Buffer | null }>(
    'SELECT secrets_encrypted FROM connect_persons WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)',
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0]?.secrets_encrypted ?? null;
}

/** Writes a person's changed columns (and the secrets when given); the caller holds the row's lock. */
export async function savePerson(db: Queryable, row: PersonRow, secrets?: Buffer | null): Promise<PersonRow> {
  const values: unknown[] = [row.id, row.account_id, row.livemode, JSON.stringify(row.details), JSON.stringify(row.relationship), JSON.stringify(row.metadata)];
  let secretsSql = '';
  if (secrets !== undefined) {
    values.push(secrets);
    secretsSql = `, secrets_encrypted = $${values.length}`;
  }
  const result = await db.query<PersonRow>(
    `UPDATE connect_persons SET details = $4, relationship = $5, metadata = $6${secretsSql}
      WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) RETURNING ${rowColumns}`,
    values,
  );
  return normalized(result.rows[0]);
}

export async function deletePerson(db: Queryable, scope: Scope, id: string): Promise<void> {
  await db.query('DELETE FROM connect_persons WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
}

/** An account's persons, newest first, optionally only those with the given relationships (`relationship[owner]=true`). */
export async function listPersons(db: Queryable, scope: Scope, page: PageRequest, relationship: Partial<Record<RelationshipFilter, boolean>>): Promise<Page<PersonRow>> {
  // Only the four known keys reach the SQL text, never a caller's string.
  const conditions = relationshipFilters
    .filter((key) => relationship[key] !== undefined)
    .map((key) => ({ sql: `coalesce((relationship->>'${key}')::boolean, false) = $?`, value: relationship[key] }));
  const found = await listPage<PersonRow>(db, { table: 'connect_persons', objectName: 'person', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
  return { rows: found.rows.map(normalized), hasMore: found.hasMore };
}

/** The persons of several accounts of one mode at once (newest first, at most `perAccountMax` each): one statement. */
export async function findPersonsOf(db: Queryable, accountIds: readonly string[], livemode: boolean, perAccountMax: number): Promise<Map<string, PersonRow[]>> {
  const result = await db.query<PersonRow>(
    `SELECT ${rowColumns} FROM (
       SELECT *, row_number() OVER (PARTITION BY account_id ORDER BY seq DESC) AS position FROM connect_persons WHERE account_id = ANY($1) AND livemode = $2
     ) ranked WHERE position <= $3 ORDER BY seq DESC`,
    [accountIds, livemode, perAccountMax],
  );
  const found = new Map<string, PersonRow[]>(accountIds.map((id) => [id, []]));
  for (const row of result.rows) found.get(row.account_id)?.push(normalized(row));
  return found;
}
