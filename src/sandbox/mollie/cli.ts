import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { closeOnSignals, collect, helpSandboxFlag, parsePort, usageError } from '../shared/cli.ts';
// Light (no server code): the documented schedule the `mollie` value of --webhook-retry-delays-ms names.
import { mollieWebhookRetryDelaysMs } from './webhooks.ts';

/** The sandbox's well-known development key, printed at start; override it with --api-key or MOLLIE_SANDBOX_API_KEY. */
const defaultApiKey = 'test_payrailsandboxmollie0000000000';
const defaultPort = 8073;
/** Pending direct debits and refunds settle by themselves after these delays when run from the command line. */
const defaultDirectDebitSettleMs = 10_000;
const defaultRefundSettleMs = 2_000;
const settleDelayMaxMs = 86_400_000;
/** Most webhook retries a command line may ask for. */
const webhookRetriesMax = 20;

interface MollieSandboxFlags {
  port?: string;
  host?: string;
  apiKey?: string[];
  publicUrl?: string;
  tlsCert?: string;
  tlsKey?: string;
  directDebitSettleMs?: string;
  refundSettleMs?: string;
  webhookRetryDelaysMs?: string;
  helpSandbox?: boolean;
}

function delayOf(command: Command, flag: string, value: string | undefined, fallback: number): number | null {
  if (value === undefined) return fallback;
  if (value === 'never') return null;
  const delay = Number(value);
  if (!Number.isInteger(delay) || delay < 0 || delay > settleDelayMaxMs) usageError(command, `${flag} must be an integer from 0 to ${settleDelayMaxMs}, or never`);
  return delay;
}

/** The retry delays of `--webhook-retry-delays-ms`: `mollie` for Mollie's schedule, or a list of integers. */
function retryDelaysOf(command: Command, value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  if (value === 'mollie') return [...mollieWebhookRetryDelaysMs];
  const delays = value === '' ? [] : value.split(',').map(Number);
  if (delays.length > webhookRetriesMax || delays.some((delay) => !Number.isInteger(delay) || delay < 0 || delay > settleDelayMaxMs)) {
    usageError(command, `--webhook-retry-delays-ms must be mollie or up to ${webhookRetriesMax} comma-separated integers from 0 to ${settleDelayMaxMs}`);
  }
  return delays;
}

/**
 * `payrail sandbox mollie`: runs the Mollie Payments API v2 sandbox as its own HTTP(S) server until SIGINT/SIGTERM.
 * Webhook URLs come with each payment (Mollie's way), so there is no webhook flag. The server is imported in the
 * action, so `--help` does not load it.
 */
export function registerMollieSandboxCommand(sandbox: Command): void {
  sandbox
    .command('mollie')
    .description('run the Mollie sandbox (Payments API v2, refunds, customers, mandates, test checkout, webhooks, faults)')
    .option('--port <port>', `TCP port (0 picks a free one; default ${defaultPort})`)
    .option('--host <host>', 'interface to bind (default 127.0.0.1)')
    .option('--api-key <key>', 'a test_ API key it accepts, repeatable (env MOLLIE_SANDBOX_API_KEY)', collect)
    .option('--public-url <url>', 'base URL of its links and checkout page')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (the official Node client needs HTTPS)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--direct-debit-settle-ms <ms>', `pending direct debits settle after this delay, or never (default ${defaultDirectDebitSettleMs})`)
    .option('--refund-settle-ms <ms>', `pending refunds settle after this delay, or never (default ${defaultRefundSettleMs})`)
    .option('--webhook-retry-delays-ms <list>', "delays between webhook calls, comma-separated, or mollie for Mollie's own (default: Mollie's, 600 times faster)")
    .addOption(new Option(helpSandboxFlag).hideHelp())
    .action(async (flags: MollieSandboxFlags, command: Command) => {
      if (flags.helpSandbox) command.help();
      const port = parsePort(command, flags.port, defaultPort);
      const apiKeys = flags.apiKey ?? [process.env.MOLLIE_SANDBOX_API_KEY ?? defaultApiKey];
      for (const key of apiKeys) if (!/^test_[A-Za-z0-9]{30}$/.test(key)) usageError(command, '--api-key must be test_ followed by 30 letters or digits');
      if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) usageError(command, '--tls-cert and --tls-key go together');
      if (flags.publicUrl !== undefined && !URL.canParse(flags.publicUrl)) usageError(command, '--public-url must be an absolute URL');
      const directDebitMs = delayOf(command, '--direct-debit-settle-ms', flags.directDebitSettleMs, defaultDirectDebitSettleMs);
      const refundMs = delayOf(command, '--refund-settle-ms', flags.refundSettleMs, defaultRefundSettleMs);
      const webhookRetryDelaysMs = retryDelaysOf(command, flags.webhookRetryDelaysMs);
      let tls: { key: Buffer; cert: Buffer } | undefined;
      if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
        try {
          tls = { cert: fs.readFileSync(flags.tlsCert), key: fs.readFileSync(flags.tlsKey) };
        } catch (error) {
          usageError(command, `cannot read the TLS files: ${(error as Error).message}`);
        }
      }
      const { startMollieSandbox } = await import('./server.ts');
      const server = await startMollieSandbox({
        port,
        host: flags.host ?? '127.0.0.1',
        apiKeys,
        settleDelays: { directDebitMs, refundMs },
        ...(webhookRetryDelaysMs !== undefined ? { webhookRetryDelaysMs } : {}),
        ...(tls !== undefined ? { tls } : {}),
        ...(flags.publicUrl !== undefined ? { publicUrl: flags.publicUrl } : {}),
      });
      console.log(`Mollie sandbox (Payments API v2) listening on ${server.url}`);
      console.log(`API endpoint          ${server.url}/v2/`);
      console.log(`API key               ${apiKeys.join(', ')}`);
      console.log(`Direct debits settle  ${directDebitMs === null ? 'when told (POST /sandbox/admin/payments/:id/settle)' : `after ${directDebitMs} ms`}`);
      console.log(`Admin                 ${server.url}/sandbox/admin/records | faults | payments/:id/settle | refunds/:id/settle | reset`);
      closeOnSignals(server);
    });
}
