import { Option, type Command } from 'commander';
import type { ApiKeyRow, KeyKind } from '../api-keys/repository.ts';
import type { Permissions } from '../api-keys/permissions.ts';
import { oneShot, usageExitCode } from './one-shot.ts';
import { withPlatform } from './open-platform.ts';

/**
 * `payrail keys list|create|roll|revoke`: key management from the machine Payrail runs on. It talks to the database
 * directly (no key needed), across accounts; the API extension /v1/payrail/api_keys does the same for one account and
 * mode with a secret key. A key revoked or rolled here stops working in every running Payrail process within a second.
 */

function describeKey(row: ApiKeyRow, now: number): string {
  const state = row.revoked_at !== null ? 'revoked' : row.expires_at !== null && row.expires_at <= now ? 'expired' : row.expires_at !== null ? `expires ${new Date(row.expires_at * 1000).toISOString()}` : 'active';
  const permissions = row.permissions ? ` ${Object.entries(row.permissions).map(([resource, level]) => `${resource}=${level}`).join(',')}` : '';
  return `${row.id}  ${row.account_id}  ${row.livemode ? 'live' : 'test'}  ${row.kind.padEnd(11)}  ${row.display_prefix}...${row.display_suffix ?? ''}  ${state}${row.name ? `  "${row.name}"` : ''}${permissions}`;
}

/**
 * Runs a key operation, turning the service's refusals (an ApiError: a bad permission, a key already rolled, the key
 * limit) into a message and the usage exit code. The error class is passed in so the module loads lazily.
 */
async function refusalsAsUsage(refusal: abstract new (...args: never[]) => Error, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof refusal)) throw error;
    console.error(`payrail: ${error.message}`);
    return usageExitCode;
  }
}

function collectPermission(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('list, create, roll and revoke API keys (secret sk_, publishable pk_, restricted rk_)');

  keys
    .command('list')
    .description('list API keys, redacted (all accounts unless --account)')
    .option('--account <id>', 'only this account (acct_...)')
    .addOption(new Option('--mode <mode>', 'only test or live keys').choices(['test', 'live']))
    .option('--all', 'also revoked keys and rolled keys past their overlap')
    .action(oneShot(async (options: { account?: string; mode?: 'test' | 'live'; all?: boolean }) => {
      const { listAllKeys } = await import('../api-keys/repository.ts');
      const { nowSeconds } = await import('../platform/ids.ts');
      return withPlatform(async (platform) => {
        const now = nowSeconds();
        const rows = await listAllKeys(platform.db, { accountId: options.account, livemode: options.mode === undefined ? undefined : options.mode === 'live' });
        const shown = options.all ? rows : rows.filter((row) => row.revoked_at === null && (row.expires_at === null || row.expires_at > now));
        for (const row of shown) console.log(describeKey(row, now));
        if (shown.length === 0) console.error('no keys');
        return 0;
      });
    }));

  keys
    .command('create')
    .description('create a key and print it (shown this once)')
    .requiredOption('--account <id>', 'the account (acct_...)')
    .addOption(new Option('--type <type>', 'the kind of key').choices(['secret', 'publishable', 'restricted']).default('secret'))
    .addOption(new Option('--mode <mode>', 'test or live').choices(['test', 'live']).default('test'))
    .option('--name <name>', 'a name to tell keys apart')
    .option('--permission <resource=level>', 'for a restricted key: read or write access to a resource (repeatable), e.g. customer=read', collectPermission)
    .action(oneShot(async (options: { account: string; type: KeyKind; mode: 'test' | 'live'; name?: string; permission?: string[] }, command: Command) => {
      const { permissionResources } = await import('../api-keys/permissions.ts');
      const permissions: Permissions = {};
      for (const entry of options.permission ?? []) {
        const [resource, level] = entry.split('=', 2);
        if (!(permissionResources as readonly string[]).includes(resource) || (level !== 'read' && level !== 'write')) {
          command.error(`--permission ${entry}: expected RESOURCE=read or RESOURCE=write, with RESOURCE one of ${permissionResources.join(', ')}`, { exitCode: usageExitCode });
        }
        permissions[resource as keyof Permissions] = level;
      }
      const [{ issueKey }, { findAccount }, { inTransaction }, { nowSeconds }, { ApiError }] = await Promise.all([
        import('../api-keys/service.ts'), import('../accounts/repository.ts'), import('../platform/db.ts'), import('../platform/ids.ts'), import('../platform/errors.ts'),
      ]);
      return withPlatform(async (platform) => {
        if (!(await findAccount(platform.db, options.account))) {
          console.error(`payrail: no account ${options.account} (payrail account create makes one)`);
          return 1;
        }
        return refusalsAsUsage(ApiError, async () => {
          const issued = await inTransaction(platform.db, (client) => issueKey(client, { accountId: options.account, livemode: options.mode === 'live' }, {
            type: options.type, name: options.name ?? null, permissions: options.type === 'restricted' || options.permission !== undefined ? permissions : undefined,
          }, nowSeconds()));
          console.log(`${issued.row.id}  ${issued.secret}`);
          return 0;
        });
      });
    }));

  keys
    .command('roll')
    .description('replace a key with a new one of the same type and permissions, and print it')
    .argument('<key>', 'the key id (key_..., from keys list)')
    .option('--expires-in <seconds>', 'seconds the old key keeps working (0 to 604800; default 0: ends now)', '0')
    .action(oneShot(async (keyId: string, options: { expiresIn: string }, command: Command) => {
      const overlap = Number(options.expiresIn);
      if (!Number.isInteger(overlap) || overlap < 0) command.error(`--expires-in ${options.expiresIn}: expected whole seconds, 0 or more`, { exitCode: usageExitCode });
      const [{ rollKeyIn }, { findKeyById }, { inTransaction }, { nowSeconds }, { ApiError }] = await Promise.all([
        import('../api-keys/service.ts'), import('../api-keys/repository.ts'), import('../platform/db.ts'), import('../platform/ids.ts'), import('../platform/errors.ts'),
      ]);
      return withPlatform(async (platform) => {
        const row = await findKeyById(platform.db, keyId);
        if (!row) {
          console.error(`payrail: no API key ${keyId}`);
          return 1;
        }
        return refusalsAsUsage(ApiError, async () => {
          const issued = await inTransaction(platform.db, (client) => rollKeyIn(client, { accountId: row.account_id, livemode: row.livemode }, keyId, overlap, nowSeconds()));
          console.log(`${issued.row.id}  ${issued.secret}`);
          console.error(overlap === 0 ? `${keyId} no longer works` : `${keyId} works until ${new Date((nowSeconds() + overlap) * 1000).toISOString()}`);
          return 0;
        });
      });
    }));

  keys
    .command('revoke')
    .description('revoke a key: every running Payrail process refuses it within a second')
    .argument('<key>', 'the key id (key_..., from keys list)')
    .action(oneShot(async (keyId: string) => {
      const [{ revokeKeyIn }, { findKeyById }, { nowSeconds }] = await Promise.all([
        import('../api-keys/service.ts'), import('../api-keys/repository.ts'), import('../platform/ids.ts'),
      ]);
      return withPlatform(async (platform) => {
        const row = await findKeyById(platform.db, keyId);
        if (!row) {
          console.error(`payrail: no API key ${keyId}`);
          return 1;
        }
        const revoked = await revokeKeyIn(platform.db, { accountId: row.account_id, livemode: row.livemode }, keyId, nowSeconds());
        console.log(describeKey(revoked, nowSeconds()));
        return 0;
      });
    }));
}
