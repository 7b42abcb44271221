import { issueKey } from '../api-keys/service.ts';
import type { Queryable } from '../platform/db.ts';
import { newId, nowSeconds } from '../platform/ids.ts';

export interface IssuedKeys {
  accountId: string;
  name: string;
  secretKey: string;
  publishableKey: string;
}

/** Creates an account with a test-mode secret and publishable key; the keys are returned once and stored hashed. */
export async function createAccount(db: Queryable, name: string, options: { demo?: boolean } = {}): Promise<IssuedKeys> {
  const accountId = newId('acct');
  const created = nowSeconds();
  await db.query('INSERT INTO accounts (id, name, is_demo, created) VALUES ($1, $2, $3, $4)', [accountId, name, options.demo === true, created]);
  const { secretKey, publishableKey } = await issueKeys(db, accountId, false);
  return { accountId, name, secretKey, publishableKey };
}

/** Issues another key pair for an account, in test or live mode. */
export async function issueKeys(db: Queryable, accountId: string, livemode: boolean): Promise<{ secretKey: string; publishableKey: string }> {
  const scope = { accountId, livemode };
  const now = nowSeconds();
  const secret = await issueKey(db, scope, { type: 'secret', name: 'Secret key' }, now);
  const publishable = await issueKey(db, scope, { type: 'publishable', name: 'Publishable key' }, now);
  return { secretKey: secret.secret, publishableKey: publishable.secret };
}

export async function findDemoAccount(db: Queryable): Promise<{ id: string; name: string } | undefined> {
  const result = await db.query<{ id: string; name: string }>('SELECT id, name FROM accounts WHERE is_demo');
  return result.rows[0];
}
