import { parseArgs } from 'node:util';
import { closeOnSignals, parsePort, webhookUrlValid } from '../shared/cli.ts';
import { startAdyenSandbox } from './server.ts';

/** The sandbox's well-known development credentials, printed at start; override them with flags or environment. */
const defaultApiKey = 'adyen_sandbox_api_key';
const defaultHmacKeyHex = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const defaultPort = 8071;

export const adyenSandboxUsage = `payrail sandbox adyen [--port N] [--host H] [--api-key KEY] [--hmac-key HEX] [--webhook-url URL]
                      [--webhook-username U --webhook-password P] [--merchant-account NAME] [--capture immediate|manual]
                      [--public-url URL]
  Environment: ADYEN_SANDBOX_API_KEY, ADYEN_SANDBOX_HMAC_KEY, ADYEN_SANDBOX_WEBHOOK_URL`;

/**
 * `payrail sandbox adyen`: runs the Adyen Checkout API v71 sandbox as its own HTTP server until SIGINT/SIGTERM.
 * Returns -1 while it runs (the process stays up), or 2 on bad arguments.
 */
export async function runAdyenSandboxCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'api-key': { type: 'string' },
      'hmac-key': { type: 'string' },
      'webhook-url': { type: 'string' },
      'webhook-username': { type: 'string' },
      'webhook-password': { type: 'string' },
      'merchant-account': { type: 'string', multiple: true },
      capture: { type: 'string' },
      'public-url': { type: 'string' },
    },
  });
  const port = parsePort(values.port, defaultPort);
  if (port === undefined) return 2;
  if (values.capture !== undefined && values.capture !== 'immediate' && values.capture !== 'manual') {
    console.error('--capture must be immediate or manual');
    return 2;
  }
  const webhookUrl = values['webhook-url'] ?? process.env.ADYEN_SANDBOX_WEBHOOK_URL;
  if (!webhookUrlValid(webhookUrl)) return 2;
  const apiKey = values['api-key'] ?? process.env.ADYEN_SANDBOX_API_KEY ?? defaultApiKey;
  const hmacKeyHex = values['hmac-key'] ?? process.env.ADYEN_SANDBOX_HMAC_KEY ?? defaultHmacKeyHex;
  const sandbox = await startAdyenSandbox({
    port,
    host: values.host ?? '127.0.0.1',
    apiKey,
    hmacKeyHex,
    ...(webhookUrl !== undefined ? { webhookUrl } : {}),
    ...(values['webhook-username'] !== undefined ? { webhookUsername: values['webhook-username'] } : {}),
    ...(values['webhook-password'] !== undefined ? { webhookPassword: values['webhook-password'] } : {}),
    ...(values['merchant-account'] ? { merchantAccounts: values['merchant-account'] } : {}),
    ...(values.capture ? { defaultCaptureMode: values.capture as 'immediate' | 'manual' } : {}),
    ...(values['public-url'] !== undefined ? { publicUrl: values['public-url'] } : {}),
  });
  console.log(`Adyen sandbox (Checkout API v71) listening on ${sandbox.url}`);
  console.log(`Checkout endpoint     ${sandbox.url}/v71`);
  console.log(`X-API-Key             ${apiKey}`);
  console.log(`HMAC key (hex)        ${hmacKeyHex}`);
  console.log(`Webhook URL           ${webhookUrl ?? '(none: set with POST /sandbox/admin/webhook)'}`);
  console.log(`Admin                 ${sandbox.url}/sandbox/admin/records | faults | webhook | reset`);
  closeOnSignals(sandbox);
  return -1;
}
