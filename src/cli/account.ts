import type { Command } from 'commander';
import { oneShot, usageExitCode } from './one-shot.ts';
import { withPlatform } from './open-platform.ts';

/** Longest account name `account create` accepts. */
const accountNameLengthMax = 200;

/** `payrail account create`: a new account with its test keys (and live keys with --live), printed once. */
export function registerAccountCommands(program: Command): void {
  const account = program.command('account').description('manage accounts');
  account
    .command('create')
    .description('create an account and print its keys (works beside a running `payrail start`)')
    .option('--name <name>', `the account's name (1 to ${accountNameLengthMax} characters; required)`)
    .option('--live', 'also issue live-mode keys')
    .action(oneShot(async (options: { name?: string; live?: boolean }, command: Command) => {
      const name = options.name?.trim();
      if (!name || name.length > accountNameLengthMax) {
        command.error(`account create needs --name NAME (1 to ${accountNameLengthMax} characters)`, { exitCode: usageExitCode });
      }
      const { createAccount, issueKeys } = await import('../accounts/service.ts');
      await withPlatform(async (platform) => {
        const created = await createAccount(platform.db, name);
        console.log(`Account               ${created.accountId} (${created.name})`);
        console.log(`Test secret key       ${created.secretKey}`);
        console.log(`Test publishable key  ${created.publishableKey}`);
        if (options.live) {
          const live = await issueKeys(platform.db, created.accountId, true);
          console.log(`Live secret key       ${live.secretKey}`);
          console.log(`Live publishable key  ${live.publishableKey}`);
        }
      });
      return 0;
    }));
}
