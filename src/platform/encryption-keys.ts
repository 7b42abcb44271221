import type { Queryable } from './db.ts';
import { constantTimeEqual, encryptionKeyCheck, encryptionKeyId } from './crypto.ts';

/** Raised at start when this process's encryption key is not the one the database's data was written with. */
export class EncryptionKeyMismatchError extends Error {}

/**
 * Makes sure this process encrypts with the key the database was written with. The first process records its key's
 * id and check value; every later one must hold a key that matches one recorded. Two processes with two keys on one
 * database would each write data the other cannot read (a 500 on the first card saved by the other), so a mismatch
 * stops the process at start with a message saying what to set.
 */
export async function checkEncryptionKey(db: Queryable, key: Buffer, source: string): Promise<{ keyId: string; recorded: boolean }> {
  const keyId = encryptionKeyId(key).toString('hex');
  const check = encryptionKeyCheck(key);
  // Taken by the first process; concurrent first starts race here and all but one find the winner's row.
  const inserted = await db.query(
    'INSERT INTO encryption_keys (key_id, check_value) SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM encryption_keys) ON CONFLICT DO NOTHING RETURNING key_id',
    [keyId, check],
  );
  if (inserted.rowCount === 1) return { keyId, recorded: true };
  const known = await db.query<{ key_id: string; check_value: Buffer; created: Date }>('SELECT key_id, check_value, created FROM encryption_keys ORDER BY created');
  const match = known.rows.find((row) => row.key_id === keyId);
  if (match && constantTimeEqual(match.check_value, check)) return { keyId, recorded: false };
  const expected = known.rows.map((row) => `${row.key_id} (recorded ${row.created.toISOString()})`).join(', ');
  throw new EncryptionKeyMismatchError(
    `this database's data is encrypted with key ${expected}, but this process's key (${source}) is ${keyId}. ` +
    'Every Payrail process on one database needs the same key: set PAYRAIL_ENCRYPTION_KEY to the key of the first ' +
    'installation (the "encryptionKey" in secrets.json of its PAYRAIL_DATA_DIR). Payrail refuses to start rather than ' +
    'write data that the other processes cannot read.',
  );
}
