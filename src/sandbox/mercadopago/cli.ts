import { Option, type Command } from 'commander';
import { checkWebhookUrl, closeOnSignals, helpSandboxFlag, parsePort, usageError } from '../shared/cli.ts';

/** The sandbox's well-known development credentials, printed at start; override them with flags or environment. */
const defaultAccessToken = 'TEST-0000000000000000-000000-00000000000000000000000000000000-000000000';
const defaultWebhookSecret = 'mercadopago_sandbox_webhook_secret';
const defaultPort = 8074;

interface MercadoPagoSandboxFlags {
  port?: string;
  host?: string;
  accessToken?: string;
  webhookSecret?: string;
  webhookUrl?: string;
  publicUrl?: string;
  helpSandbox?: boolean;
}

/**
 * `payrail sandbox mercadopago`: runs the Mercado Pago Payments API sandbox (Pix, boleto, cards, refunds, webhooks)
 * as its own HTTP server until SIGINT/SIGTERM. The server is imported in the action, so `--help` does not load it.
 */
export function registerMercadoPagoSandboxCommand(sandbox: Command): void {
  sandbox
    .command('mercadopago')
    .description('run the Mercado Pago Payments API sandbox (Pix, boleto, cards, refunds, signed webhooks, faults)')
    .option('--port <port>', `TCP port (0 picks a free one; default ${defaultPort})`)
    .option('--host <host>', 'interface to bind (default 127.0.0.1)')
    .option('--access-token <token>', 'access token it accepts, TEST-... (env MERCADOPAGO_SANDBOX_ACCESS_TOKEN)')
    .option('--webhook-secret <secret>', 'secret signature of its webhooks (env MERCADOPAGO_SANDBOX_WEBHOOK_SECRET)')
    .option('--webhook-url <url>', 'notification URL for payments without notification_url (env MERCADOPAGO_SANDBOX_WEBHOOK_URL)')
    .option('--public-url <url>', 'base URL of its ticket pages')
    .addOption(new Option(helpSandboxFlag).hideHelp())
    .action(async (flags: MercadoPagoSandboxFlags, command: Command) => {
      if (flags.helpSandbox) command.help();
      const port = parsePort(command, flags.port, defaultPort);
      const webhookUrl = flags.webhookUrl ?? process.env.MERCADOPAGO_SANDBOX_WEBHOOK_URL;
      checkWebhookUrl(command, webhookUrl);
      const accessToken = flags.accessToken ?? process.env.MERCADOPAGO_SANDBOX_ACCESS_TOKEN ?? defaultAccessToken;
      if (!/^(TEST|APP_USR)-\S+$/.test(accessToken)) usageError(command, '--access-token must start with TEST- or APP_USR-');
      const webhookSecret = flags.webhookSecret ?? process.env.MERCADOPAGO_SANDBOX_WEBHOOK_SECRET ?? defaultWebhookSecret;
      if (webhookSecret === '') usageError(command, '--webhook-secret must not be empty');
      const { startMercadoPagoSandbox } = await import('./server.ts');
      const server = await startMercadoPagoSandbox({
        port,
        host: flags.host ?? '127.0.0.1',
        accessToken,
        webhookSecret,
        ...(webhookUrl !== undefined ? { webhookUrl } : {}),
        ...(flags.publicUrl !== undefined ? { publicUrl: flags.publicUrl } : {}),
      });
      console.log(`Mercado Pago sandbox (Payments API, BRL) listening on ${server.url}`);
      console.log(`Access token          ${accessToken}`);
      console.log(`Public key            ${server.publicKey}`);
      console.log(`Webhook secret        ${webhookSecret}`);
      console.log(`Webhook URL           ${webhookUrl ?? '(none: notification_url per payment, or POST /sandbox/admin/webhook)'}`);
      console.log(`Admin                 ${server.url}/sandbox/admin/records | faults | webhook | payments/:id/pay | payments/:id/expire | reset`);
      closeOnSignals(server);
    });
}
