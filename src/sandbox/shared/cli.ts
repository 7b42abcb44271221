import type { Command } from 'commander';

/**
 * Command-line plumbing both provider sandboxes share: the port and webhook URL checks (each prints the same message
 * a user sees from either sandbox, and exits 2) and stopping cleanly on SIGINT/SIGTERM.
 */

/** The largest TCP port. */
export const portMax = 65_535;

/** Exit code of a command line the sandbox does not understand. */
const usageExitCode = 2;

/** The `--port` value, or `defaultPort` when absent; a usage error (exit 2) when it is not a valid port. */
export function parsePort(command: Command, value: string | undefined, defaultPort: number): number {
  const port = value === undefined ? defaultPort : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > portMax) {
    command.error(`--port must be an integer from 0 to ${portMax}`, { exitCode: usageExitCode });
  }
  return port;
}

/** Checks that the webhook URL (from the flag or environment) is absent or absolute; a usage error when not. */
export function checkWebhookUrl(command: Command, webhookUrl: string | undefined): void {
  if (webhookUrl !== undefined && !URL.canParse(webhookUrl)) command.error('--webhook-url must be an absolute URL', { exitCode: usageExitCode });
}

/** A usage error (exit 2) with a message naming the flag. */
export function usageError(command: Command, message: string): never {
  command.error(message, { exitCode: usageExitCode });
}

/** Option parser of a repeatable flag: every value given, in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The former `--help-sandbox` flag, kept hidden: it prints the command's help like --help. */
export const helpSandboxFlag = '--help-sandbox';

/** Closes the sandbox and exits on SIGINT or SIGTERM. */
export function closeOnSignals(sandbox: { close(): Promise<void> }): void {
  const stop = async () => {
    await sandbox.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
