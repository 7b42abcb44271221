import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerAccountCommands } from './account.ts';
import { registerKeyCommands } from './keys.ts';
import { registerLedgerCommands } from './ledger.ts';
import { registerMigrateCommand } from './migrate.ts';
import { registerSandboxCommands } from './sandbox.ts';
import { registerStartCommand } from './start.ts';
import { registerWorkerCommand } from './worker.ts';
import { usageExitCode } from './one-shot.ts';

/**
 * The `payrail` command line. Each command (or group of subcommands) is one file in src/cli that adds itself to the
 * program; adding a group is one file and one line in `commandGroups`. Command files import only commander and
 * types at the top: the application (Fastify, pg, the services) is imported inside the action handlers, so `--help`,
 * `--version` and a mistyped word answer without loading it.
 */
const commandGroups: ((program: Command) => void)[] = [
  registerStartCommand,
  registerMigrateCommand,
  registerWorkerCommand,
  registerAccountCommands,
  registerKeyCommands,
  registerLedgerCommands,
  registerSandboxCommands,
];

function packageVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

export function buildProgram(): Command {
  const program = new Command('payrail')
    .description('Open-source, self-hosted, Stripe-compatible payments platform')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help for the command')
    .helpCommand('help [command]', 'show help for a command')
    // Inherited by every subcommand created after it: errors are thrown to runCli, which picks the exit code.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      '\nEnvironment: PORT, HOST, DATABASE_URL, PAYRAIL_DATA_DIR, PAYRAIL_ENCRYPTION_KEY, PAYRAIL_PUBLIC_URL, ' +
        'PAYRAIL_LOG_REQUESTS, ... (docs/configuration.md)',
    );
  for (const register of commandGroups) register(program);
  return program;
}

/**
 * Runs the command line. One-off commands end the process themselves (see `oneShot`); long-running ones (start,
 * worker, sandbox) return once they run, and the process lives on until a signal stops it.
 */
export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  if (argv.length === 0) {
    program.outputHelp();
    return;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    // Help and version end with exit code 0; anything else commander refused is a usage error (commander itself has
    // printed which word was wrong).
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : usageExitCode);
    throw error;
  }
}
