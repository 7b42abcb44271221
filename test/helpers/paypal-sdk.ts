import https from 'node:https';
import net from 'node:net';
import { Client, Environment, OrdersController, PaymentsController } from '@paypal/paypal-server-sdk';

/**
 * The official @paypal/paypal-server-sdk pointed at a PayPal sandbox running on 127.0.0.1.
 *
 * The SDK (2.5.0) has no custom base URL: `Environment` is only `Sandbox` (https://api-m.sandbox.paypal.com) or
 * `Production`. It does take an `httpsAgent` (`httpClientOptions.httpsAgent`), and an https.Agent decides how its
 * connections are made, so this agent opens a plain TCP connection to the local sandbox instead of a TLS one to
 * PayPal. The SDK builds every URL, header and body itself exactly as it would for PayPal; only the socket differs.
 */
export interface PayPalSdk {
  client: Client;
  orders: OrdersController;
  payments: PaymentsController;
}

class LocalSandboxAgent extends https.Agent {
  readonly #port: number;

  constructor(port: number) {
    super({ keepAlive: false });
    this.#port = port;
  }

  override createConnection(_options: unknown, callback?: unknown): net.Socket {
    const socket = net.connect(this.#port, '127.0.0.1');
    if (typeof callback === 'function') socket.once('connect', () => (callback as (error: null, socket: net.Socket) => void)(null, socket));
    return socket;
  }
}

export function paypalSdk(port: number, clientId: string, clientSecret: string): PayPalSdk {
  const client = new Client({
    clientCredentialsAuthCredentials: { oAuthClientId: clientId, oAuthClientSecret: clientSecret },
    environment: Environment.Sandbox,
    // Generous: the sandbox answers, slowly only on a loaded machine.
    timeout: 30_000,
    // No SDK retries: a test must see each answer the sandbox gives.
    httpClientOptions: { timeout: 30_000, httpsAgent: new LocalSandboxAgent(port), retryConfig: { maxNumberOfRetries: 0 } },
  });
  return { client, orders: new OrdersController(client), payments: new PaymentsController(client) };
}
