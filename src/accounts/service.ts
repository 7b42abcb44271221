import { issueKey } from '../api-keys/service.ts';
import type { Queryable } from '../platform/db.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { insertAccount } from './repository.ts';

// `start` looks for the demo account through this service, which creates it.
export { findDemoAccount } from './repository.ts';

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
  await insertAccount(db, { id: accountId, name, isDemo: options.demo === true, created });
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
