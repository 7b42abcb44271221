/**
 * Command-line plumbing both provider sandboxes share: the port and webhook URL checks (each prints the same message
 * a user sees from either sandbox) and stopping cleanly on SIGINT/SIGTERM.
 */

/** The largest TCP port. */
export const portMax = 65_535;

/** The `--port` value, or `defaultPort` when absent; undefined (after printing why) when it is not a valid port. */
export function parsePort(value: string | undefined, defaultPort: number): number | undefined {
  const port = value === undefined ? defaultPort : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > portMax) {
    console.error(`--port must be an integer from 0 to ${portMax}`);
    return undefined;
  }
  return port;
}

/** Whether the webhook URL (from the flag or environment) is absent or absolute; prints why when it is not. */
export function webhookUrlValid(webhookUrl: string | undefined): boolean {
  if (webhookUrl !== undefined && !URL.canParse(webhookUrl)) {
    console.error('--webhook-url must be an absolute URL');
    return false;
  }
  return true;
}

/** Closes the sandbox and exits on SIGINT or SIGTERM. */
export function closeOnSignals(sandbox: { close(): Promise<void> }): void {
  const stop = async () => {
    await sandbox.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
