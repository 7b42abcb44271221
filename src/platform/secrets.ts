import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Secrets Payrail generates for itself on first start, kept in the data folder, readable only by its owner. */
export interface LocalSecrets {
  postgresPassword: string;
  encryptionKey: string;
}

export function loadOrCreateSecrets(dataDirectory: string): LocalSecrets {
  fs.mkdirSync(dataDirectory, { recursive: true, mode: 0o755 });
  const file = path.join(dataDirectory, 'secrets.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalSecrets;
  const secrets: LocalSecrets = {
    postgresPassword: randomBytes(24).toString('base64url'),
    encryptionKey: randomBytes(32).toString('base64'),
  };
  // wx: when two processes start at once, exactly one creates the file and the other reads it.
  try {
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalSecrets;
  }
  return secrets;
}

export function decodeEncryptionKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error('PAYRAIL_ENCRYPTION_KEY must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)');
  return key;
}
