import type { FastifyInstance } from 'fastify';
import { mergeFaults, noFaults, type Faults } from './faults.ts';
import { parseJsonBody } from './http.ts';

/**
 * A sandbox's fault settings: given at start, changed through the admin endpoint or in-process, cleared by a reset.
 * A bad update changes nothing.
 */
export class FaultSettings {
  #faults: Faults = noFaults();

  constructor(initial?: Partial<Faults>) {
    if (initial) this.set(initial);
  }

  get current(): Faults {
    return this.#faults;
  }

  /** Lays an update over the current settings, or says why it is refused. */
  update(update: unknown): { faults: Faults } | { error: string } {
    const merged = mergeFaults(this.#faults, update);
    if ('faults' in merged) this.#faults = merged.faults;
    return merged;
  }

  /** As `update`, for in-process callers: a bad update throws (a typo in a test fails it). */
  set(update: Partial<Faults>): Faults {
    const merged = this.update(update);
    if ('error' in merged) throw new Error(`faults: ${merged.error}`);
    return merged.faults;
  }

  reset(): void {
    this.#faults = noFaults();
  }
}

/**
 * The admin endpoints every sandbox serves (no key; the CLI binds to 127.0.0.1): GET /sandbox/admin/records,
 * GET|POST /sandbox/admin/faults and POST /sandbox/admin/reset. Each sandbox adds its webhook-target endpoint
 * (registerWebhookUrlAdmin, or Adyen's own, which also takes basic-auth credentials).
 */
export function registerSandboxAdmin(app: FastifyInstance, sandbox: { records: () => unknown; faults: FaultSettings; reset: () => void }): void {
  app.get('/sandbox/admin/records', async () => sandbox.records());
  app.get('/sandbox/admin/faults', async () => sandbox.faults.current);
  app.post('/sandbox/admin/faults', async (request, reply) => {
    const update = parseJsonBody(request);
    if (update === undefined) return reply.status(400).send({ error: 'the body must be JSON' });
    const merged = sandbox.faults.update(update);
    if ('error' in merged) return reply.status(400).send({ error: merged.error });
    return merged.faults;
  });
  app.post('/sandbox/admin/reset', async () => {
    sandbox.reset();
    return { reset: true };
  });
}

/**
 * POST /sandbox/admin/webhook `{"url": "https://..."}` points the sandbox's webhooks at a receiver; `{"url": null}`
 * stops them. The sandboxes whose webhooks go to one URL (PayPal, Mercado Pago, Razorpay) share it.
 */
export function registerWebhookUrlAdmin(app: FastifyInstance, setUrl: (url: string | undefined) => void): void {
  app.post('/sandbox/admin/webhook', async (request, reply) => {
    const update = parseJsonBody(request);
    if (typeof update !== 'object' || update === null || Array.isArray(update)) return reply.status(400).send({ error: 'the body must be a JSON object' });
    const { url } = update as { url?: unknown };
    if (url === null) {
      setUrl(undefined);
      return { url: null };
    }
    if (typeof url !== 'string' || !URL.canParse(url)) return reply.status(400).send({ error: 'url must be an absolute URL or null' });
    setUrl(url);
    return { url };
  });
}

/** What every running sandbox offers its caller (tests, the CLI): its address, its records, faults, and stop. */
export interface SandboxHandle<Records> {
  url: string;
  port: number;
  /** A copy of what the sandbox did so far. */
  records(): Records;
  setFaults(update: Partial<Faults>): Faults;
  /** Resolves once every queued webhook delivery has finished (delivered or abandoned). */
  webhooksIdle(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}
