import { Option, type Command } from 'commander';
import { checkWebhookUrl, closeOnSignals, helpSandboxFlag, parsePort, usageError } from '../shared/cli.ts';

/** The sandbox's well-known development credentials, printed at start; override them with flags or environment. */
const defaultClientId = 'paypal_sandbox_client_id';
const defaultClientSecret = 'paypal_sandbox_client_secret';
const defaultWebhookId = 'PAYRAILSANDBOXWEBHOOK';
const defaultPort = 8072;

interface PayPalSandboxFlags {
  port?: string;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  webhookUrl?: string;
  webhookId?: string;
  publicUrl?: string;
  helpSandbox?: boolean;
}

/**
 * `payrail sandbox paypal`: runs the PayPal REST sandbox (Orders v2, Payments v2, webhooks) as its own HTTP server
 * until SIGINT/SIGTERM. The server is imported in the action, so `--help` does not load it.
 */
export function registerPayPalSandboxCommand(sandbox: Command): void {
  sandbox
    .command('paypal')
    .description('run the PayPal REST sandbox (Orders v2, Payments v2, approval page, webhooks, faults)')
    .option('--port <port>', `TCP port (0 picks a free one; default ${defaultPort})`)
    .option('--host <host>', 'interface to bind (default 127.0.0.1)')
    .option('--client-id <id>', 'OAuth client id it accepts (env PAYPAL_SANDBOX_CLIENT_ID)')
    .option('--client-secret <secret>', 'OAuth client secret it accepts (env PAYPAL_SANDBOX_CLIENT_SECRET)')
    .option('--webhook-url <url>', 'where it sends webhooks (env PAYPAL_SANDBOX_WEBHOOK_URL)')
    .option('--webhook-id <id>', 'id of its webhook, 1 to 50 letters and digits (env PAYPAL_SANDBOX_WEBHOOK_ID)')
    .option('--public-url <url>', 'base URL of its approval page')
    .addOption(new Option(helpSandboxFlag).hideHelp())
    .action(async (flags: PayPalSandboxFlags, command: Command) => {
      if (flags.helpSandbox) command.help();
      const port = parsePort(command, flags.port, defaultPort);
      const webhookUrl = flags.webhookUrl ?? process.env.PAYPAL_SANDBOX_WEBHOOK_URL;
      checkWebhookUrl(command, webhookUrl);
      const webhookId = flags.webhookId ?? process.env.PAYPAL_SANDBOX_WEBHOOK_ID ?? defaultWebhookId;
      if (!/^[a-zA-Z0-9]{1,50}$/.test(webhookId)) usageError(command, '--webhook-id must be 1 to 50 letters and digits');
      const clientId = flags.clientId ?? process.env.PAYPAL_SANDBOX_CLIENT_ID ?? defaultClientId;
      const clientSecret = flags.clientSecret ?? process.env.PAYPAL_SANDBOX_CLIENT_SECRET ?? defaultClientSecret;
      const { startPayPalSandbox } = await import('./server.ts');
      const server = await startPayPalSandbox({
        port,
        host: flags.host ?? '127.0.0.1',
        clientId,
        clientSecret,
        webhookId,
        ...(webhookUrl !== undefined ? { webhookUrl } : {}),
        ...(flags.publicUrl !== undefined ? { publicUrl: flags.publicUrl } : {}),
      });
      console.log(`PayPal sandbox (Orders v2, Payments v2) listening on ${server.url}`);
      console.log(`Client id             ${clientId}`);
      console.log(`Client secret         ${clientSecret}`);
      console.log(`Webhook id            ${webhookId}`);
      console.log(`Webhook URL           ${webhookUrl ?? '(none: set with POST /sandbox/admin/webhook)'}`);
      console.log(`Admin                 ${server.url}/sandbox/admin/records | faults | webhook | reset`);
      closeOnSignals(server);
    });
}
