import type { Command } from 'commander';
import { oneShot } from './one-shot.ts';
import { progress, withPlatform } from './open-platform.ts';

/** `payrail ledger verify`: recomputes and checks the whole ledger; exit 1 with a report on any discrepancy. */
export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('check the ledger');
  ledger
    .command('verify')
    .description(
      'recompute every balance from the postings, check every entry balances and matches its hash, and check every ' +
        'hash chain; exits 1 with a report on any discrepancy (read-only unless --seal)',
    )
    .option('--seal', 'first seal committed entries into the hash chains')
    .option('--json', 'print the report as JSON')
    .action(oneShot(async (options: { seal?: boolean; json?: boolean }) => {
      const [{ sealAll }, { formatReport, verifyLedgerSnapshot }] = await Promise.all([import('../ledger/sealer.ts'), import('../ledger/verify.ts')]);
      return withPlatform(async (platform) => {
        if (options.seal) progress(`sealed ${await sealAll(platform.db)} entries`);
        const report = await verifyLedgerSnapshot(platform.db);
        console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
        return report.ok ? 0 : 1;
      });
    }));
}
