import { Option, type Command } from 'commander';
import { checkWebhookUrl, closeOnSignals, helpSandboxFlag, parsePort, usageError } from '../shared/cli.ts';

/** The sandbox's well-known development credentials, printed at start; override them with flags or environment. */
const defaultKeyId = 'rzp_test_PayrailSandbox';
const defaultKeySecret = 'razorpay_sandbox_key_secret';
const defaultWebhookSecret = 'razorpay_sandbox_webhook_secret';
const defaultPort = 8075;

interface RazorpaySandboxFlags {
  port?: string;
  host?: string;
  keyId?: string;
  keySecret?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  capture?: string;
  helpSandbox?: boolean;
}

/**
 * `payrail sandbox razorpay`: runs the Razorpay API sandbox (Orders, Payments with UPI collect and intent and a card
 * checkout page, captures, refunds, webhooks) as its own HTTP server until SIGINT/SIGTERM. The server is imported in
 * the action, so `--help` does not load it.
 */
export function registerRazorpaySandboxCommand(sandbox: Command): void {
  sandbox
    .command('razorpay')
    .description('run the Razorpay API sandbox (orders, UPI collect and intent, card checkout, refunds, webhooks, faults)')
    .option('--port <port>', `TCP port (0 picks a free one; default ${defaultPort})`)
    .option('--host <host>', 'interface to bind (default 127.0.0.1)')
    .option('--key-id <id>', 'test key id it accepts, rzp_test_ and 14 letters and digits (env RAZORPAY_SANDBOX_KEY_ID)')
    .option('--key-secret <secret>', 'key secret it accepts (env RAZORPAY_SANDBOX_KEY_SECRET)')
    .option('--webhook-url <url>', 'where it sends webhooks (env RAZORPAY_SANDBOX_WEBHOOK_URL)')
    .option('--webhook-secret <secret>', 'secret of its webhook signatures (env RAZORPAY_SANDBOX_WEBHOOK_SECRET)')
    .option('--capture <mode>', 'default capture of authorized payments: automatic or manual')
    .addOption(new Option(helpSandboxFlag).hideHelp())
    .action(async (flags: RazorpaySandboxFlags, command: Command) => {
      if (flags.helpSandbox) command.help();
      const port = parsePort(command, flags.port, defaultPort);
      if (flags.capture !== undefined && flags.capture !== 'automatic' && flags.capture !== 'manual') usageError(command, '--capture must be automatic or manual');
      const webhookUrl = flags.webhookUrl ?? process.env.RAZORPAY_SANDBOX_WEBHOOK_URL;
      checkWebhookUrl(command, webhookUrl);
      const keyId = flags.keyId ?? process.env.RAZORPAY_SANDBOX_KEY_ID ?? defaultKeyId;
      const { startRazorpaySandbox, testKeyIdPattern } = await import('./server.ts');
      if (!testKeyIdPattern.test(keyId)) usageError(command, '--key-id must be rzp_test_ and 14 letters and digits');
      const keySecret = flags.keySecret ?? process.env.RAZORPAY_SANDBOX_KEY_SECRET ?? defaultKeySecret;
      const webhookSecret = flags.webhookSecret ?? process.env.RAZORPAY_SANDBOX_WEBHOOK_SECRET ?? defaultWebhookSecret;
      if (keySecret === '' || webhookSecret === '') usageError(command, '--key-secret and --webhook-secret must not be empty');
      const server = await startRazorpaySandbox({
        port,
        host: flags.host ?? '127.0.0.1',
        keyId,
        keySecret,
        webhookSecret,
        ...(webhookUrl !== undefined ? { webhookUrl } : {}),
        ...(flags.capture ? { captureMode: flags.capture as 'automatic' | 'manual' } : {}),
      });
      console.log(`Razorpay sandbox (API v1) listening on ${server.url}`);
      console.log(`Key id                ${keyId}`);
      console.log(`Key secret            ${keySecret}`);
      console.log(`Webhook secret        ${webhookSecret}`);
      console.log(`Webhook URL           ${webhookUrl ?? '(none: set with POST /sandbox/admin/webhook)'}`);
      console.log(`Checkout              ${server.url}/v1/checkout/embedded?key_id=${keyId}&order_id=...`);
      console.log(`Admin                 ${server.url}/sandbox/admin/records | faults | webhook | reset | payments/:id/upi`);
      closeOnSignals(server);
    });
}
