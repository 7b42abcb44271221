import type { Queryable } from '../platform/db.ts';

// The `accounts` table: who the merchant is (settings live in `account_settings`, see settings-repository.ts).

/** The `accounts` row as the API shows it. */
export interface AccountRecord {
  id: string;
  name: string;
  created: number;
}

export async function insertAccount(db: Queryable, account: AccountRecord & { isDemo: boolean }): Promise<void> {
  await db.query('INSERT INTO accounts (id, name, is_demo, created) VALUES ($1, $2, $3, $4)', [account.id, account.name, account.isDemo, account.created]);
}

/**
 * The account with this id. `forUpdate` takes FOR NO KEY UPDATE, which serializes settings updates of one account
 * without conflicting with the key-share locks that inserts into tables referencing accounts take.
 */
export async function findAccount(db: Queryable, accountId: string, options: { forUpdate?: boolean } = {}): Promise<AccountRecord | undefined> {
  const result = await db.query<AccountRecord>(`SELECT id, name, created FROM accounts WHERE id = $1${options.forUpdate ? ' FOR NO KEY UPDATE' : ''}`, [accountId]);
  return result.rows[0];
}

/** The demo account (made by `start` when there is none), if there is one. */
export async function findDemoAccount(db: Queryable): Promise<{ id: string; name: string } | undefined> {
  const result = await db.query<{ id: string; name: string }>('SELECT id, name FROM accounts WHERE is_demo');
  return result.rows[0];
}

/** Several accounts at once (a page of a platform's connected accounts), by id. */
export async function findAccounts(db: Queryable, accountIds: readonly string[]): Promise<Map<string, AccountRecord>> {
  const result = await db.query<AccountRecord>('SELECT id, name, created FROM accounts WHERE id = ANY($1::text[])', [accountIds]);
  return new Map(result.rows.map((row) => [row.id, row]));
}
