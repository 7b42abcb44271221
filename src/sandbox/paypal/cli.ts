import { parseArgs } from 'node:util';
import { closeOnSignals, parsePort, webhookUrlValid } from '../shared/cli.ts';
import { startPayPalSandbox } from './server.ts';

/** The sandbox's well-known development credentials, printed at start; override them with flags or environment. */
const defaultClientId = 'paypal_sandbox_client_id';
const defaultClientSecret = 'paypal_sandbox_client_secret';
const defaultWebhookId = 'PAYRAILSANDBOXWEBHOOK';
const defaultPort = 8072;

export const paypalSandboxUsage = `payrail sandbox paypal [--port N] [--host H] [--client-id ID] [--client-secret SECRET]
                       [--webhook-url URL] [--webhook-id ID] [--public-url URL]
  Environment: PAYPAL_SANDBOX_CLIENT_ID, PAYPAL_SANDBOX_CLIENT_SECRET, PAYPAL_SANDBOX_WEBHOOK_URL, PAYPAL_SANDBOX_WEBHOOK_ID`;

/**
 * `payrail sandbox paypal`: runs the PayPal REST sandbox (Orders v2, Payments v2, webhooks) as its own HTTP server
 * until SIGINT/SIGTERM. Returns -1 while it runs (the process stays up), or 2 on bad arguments.
 */
export async function runPayPalSandboxCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'webhook-url': { type: 'string' },
      'webhook-id': { type: 'string' },
      'public-url': { type: 'string' },
    },
  });
  const port = parsePort(values.port, defaultPort);
  if (port === undefined) return 2;
  const webhookUrl = values['webhook-url'] ?? process.env.PAYPAL_SANDBOX_WEBHOOK_URL;
  if (!webhookUrlValid(webhookUrl)) return 2;
  const webhookId = values['webhook-id'] ?? process.env.PAYPAL_SANDBOX_WEBHOOK_ID ?? defaultWebhookId;
  if (!/^[a-zA-Z0-9]{1,50}$/.test(webhookId)) {
    console.error('--webhook-id must be 1 to 50 letters and digits');
    return 2;
  }
  const clientId = values['client-id'] ?? process.env.PAYPAL_SANDBOX_CLIENT_ID ?? defaultClientId;
  const clientSecret = values['client-secret'] ?? process.env.PAYPAL_SANDBOX_CLIENT_SECRET ?? defaultClientSecret;
  const sandbox = await startPayPalSandbox({
    port,
    host: values.host ?? '127.0.0.1',
    clientId,
    clientSecret,
    webhookId,
    ...(webhookUrl !== undefined ? { webhookUrl } : {}),
    ...(values['public-url'] !== undefined ? { publicUrl: values['public-url'] } : {}),
  });
  console.log(`PayPal sandbox (Orders v2, Payments v2) listening on ${sandbox.url}`);
  console.log(`Client id             ${clientId}`);
  console.log(`Client secret         ${clientSecret}`);
  console.log(`Webhook id            ${webhookId}`);
  console.log(`Webhook URL           ${webhookUrl ?? '(none: set with POST /sandbox/admin/webhook)'}`);
  console.log(`Admin                 ${sandbox.url}/sandbox/admin/records | faults | webhook | reset`);
  closeOnSignals(sandbox);
  return -1;
}
