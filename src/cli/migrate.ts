import type { Command } from 'commander';
import { oneShot } from './one-shot.ts';
import { withPlatform } from './open-platform.ts';

/** `payrail migrate`: applies the database migrations (opening the platform applies them) and exits. */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations and exit')
    .action(oneShot(async () => {
      await withPlatform(async () => undefined);
      console.log('migrations are up to date');
      return 0;
    }));
}
