import { Option, type Command } from 'commander';
import { checkWebhookUrl, closeOnSignals, collect, helpSandboxFlag, parsePort, usageError } from '../shared/cli.ts';

/** The sandbox's well-known development credentials, printed at start; override them with flags or environment. */
const defaultApiKey = 'adyen_sandbox_api_key';
const defaultHmacKeyHex = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const defaultPort = 8071;

interface AdyenSandboxFlags {
  port?: string;
  host?: string;
  apiKey?: string;
  hmacKey?: string;
  webhookUrl?: string;
  webhookUsername?: string;
  webhookPassword?: string;
  merchantAccount?: string[];
  capture?: string;
  publicUrl?: string;
  helpSandbox?: boolean;
}

/**
 * `payrail sandbox adyen`: runs the Adyen Checkout API v71 sandbox as its own HTTP server until SIGINT/SIGTERM.
 * The server is imported in the action, so `--help` does not load it.
 */
export function registerAdyenSandboxCommand(sandbox: Command): void {
  sandbox
    .command('adyen')
    .description('run the Adyen Checkout API v71 sandbox (test cards, 3-D Secure, webhooks, faults)')
    .option('--port <port>', `TCP port (0 picks a free one; default ${defaultPort})`)
    .option('--host <host>', 'interface to bind (default 127.0.0.1)')
    .option('--api-key <key>', 'X-API-Key the sandbox accepts (env ADYEN_SANDBOX_API_KEY)')
    .option('--hmac-key <hex>', 'HMAC key (hex) of its webhook notifications (env ADYEN_SANDBOX_HMAC_KEY)')
    .option('--webhook-url <url>', 'where it sends notifications (env ADYEN_SANDBOX_WEBHOOK_URL)')
    .option('--webhook-username <user>', 'basic-auth user of the notifications')
    .option('--webhook-password <password>', 'basic-auth password of the notifications')
    .option('--merchant-account <name>', 'a merchant account it accepts (repeatable)', collect)
    .option('--capture <mode>', 'default capture mode: immediate or manual')
    .option('--public-url <url>', 'base URL of its 3-D Secure pages')
    .addOption(new Option(helpSandboxFlag).hideHelp())
    .action(async (flags: AdyenSandboxFlags, command: Command) => {
      if (flags.helpSandbox) command.help();
      const port = parsePort(command, flags.port, defaultPort);
      if (flags.capture !== undefined && flags.capture !== 'immediate' && flags.capture !== 'manual') {
        usageError(command, '--capture must be immediate or manual');
      }
      const webhookUrl = flags.webhookUrl ?? process.env.ADYEN_SANDBOX_WEBHOOK_URL;
      checkWebhookUrl(command, webhookUrl);
      const apiKey = flags.apiKey ?? process.env.ADYEN_SANDBOX_API_KEY ?? defaultApiKey;
      const hmacKeyHex = flags.hmacKey ?? process.env.ADYEN_SANDBOX_HMAC_KEY ?? defaultHmacKeyHex;
      const { startAdyenSandbox } = await import('./server.ts');
      const server = await startAdyenSandbox({
        port,
        host: flags.host ?? '127.0.0.1',
        apiKey,
        hmacKeyHex,
        ...(webhookUrl !== undefined ? { webhookUrl } : {}),
        ...(flags.webhookUsername !== undefined ? { webhookUsername: flags.webhookUsername } : {}),
        ...(flags.webhookPassword !== undefined ? { webhookPassword: flags.webhookPassword } : {}),
        ...(flags.merchantAccount ? { merchantAccounts: flags.merchantAccount } : {}),
        ...(flags.capture ? { defaultCaptureMode: flags.capture as 'immediate' | 'manual' } : {}),
        ...(flags.publicUrl !== undefined ? { publicUrl: flags.publicUrl } : {}),
      });
      console.log(`Adyen sandbox (Checkout API v71) listening on ${server.url}`);
      console.log(`Checkout endpoint     ${server.url}/v71`);
      console.log(`X-API-Key             ${apiKey}`);
      console.log(`HMAC key (hex)        ${hmacKeyHex}`);
      console.log(`Webhook URL           ${webhookUrl ?? '(none: set with POST /sandbox/admin/webhook)'}`);
      console.log(`Admin                 ${server.url}/sandbox/admin/records | faults | webhook | reset`);
      closeOnSignals(server);
    });
}
