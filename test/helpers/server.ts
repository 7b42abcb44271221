import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import Stripe from 'stripe';
import { createAccount, issueKeys } from '../../src/accounts/service.ts';
import { buildApp } from '../../src/api/app.ts';
import type { PublishableRateLimits } from '../../src/api/publishable-rate-limits.ts';
import { TestProcessor } from '../../src/connectors/test-processor/connector.ts';
import { buildDependencies, defaultExchangeRatesFile, type Dependencies } from '../../src/dependencies.ts';
import { loadRatesFile } from '../../src/fees/exchange-rates.ts';
import { defaultOrchestrationSettings, type OrchestrationSettings } from '../../src/orchestration/settings.ts';
import { AdjustableClock } from '../../src/platform/clock.ts';
import type { RoutingHealth } from '../../src/routing/decide.ts';
import { defaultWebhookSettings, type WebhookSettings } from '../../src/webhooks/settings.ts';
import { startWebhookWorker, type WebhookWorker } from '../../src/webhooks/worker.ts';
import { SecretBox } from '../../src/platform/crypto.ts';
import { createPool, ensureDatabase, migrate, type Database } from '../../src/platform/db.ts';
import type { GroupCommitSettings } from '../../src/platform/group-commit.ts';
import { payrailDocumentViolations, recordAnswer, stripeViolations, type ConformanceViolation, type RenderedFields } from './stripe-conformance.ts';

/** Connection string of the test PostgreSQL server (started by scripts/run-tests.mjs, or DATABASE_URL). */
export function testServerUrl(): string {
  const url = process.env.PAYRAIL_TEST_SERVER_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('run tests with `npm test` (it starts PostgreSQL) or set DATABASE_URL');
  return url;
}

/** Creates a fresh, migrated database for one test file and returns a pool on it. */
export async function createTestDatabase(): Promise<{ db: Database; url: string; drop: () => Promise<void> }> {
  const name = `payrail_test_${randomBytes(6).toString('hex')}`;
  const url = await ensureDatabase(testServerUrl(), name);
  const db = createPool(url, 20);
  await migrate(db);
  return {
    db,
    url,
    drop: async () => {
      await db.end();
      const cleanup = new pg.Client({ connectionString: testServerUrl() });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

export interface TestAccount {
  accountId: string;
  secretKey: string;
  publishableKey: string;
  stripe: Stripe;
}

export interface TestServer {
  baseUrl: string;
  port: number;
  db: Database;
  deps: Dependencies;
  /** The in-process webhook delivery worker, when the server was started with `webhookWorker`. */
  webhookWorker: WebhookWorker | undefined;
  /** Connection string of the test database. */
  databaseUrl: string;
  /** The server's clock: `clock.advance(seconds)` moves settlement dates and payout schedules forward. */
  clock: AdjustableClock;
  /** The first account, ready to use. */
  account: TestAccount;
  createAccount(name?: string): Promise<TestAccount>;
  /** Live-mode keys for an account. */
  liveKeys(accountId: string): Promise<{ secretKey: string; publishableKey: string; stripe: Stripe }>;
  stripeFor(key: string): Stripe;
  /** Raw HTTP access for what the SDK cannot send (malformed bodies, odd headers). */
  request(method: string, path: string, options?: { key?: string; body?: string | Buffer; contentType?: string; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; json: any; text: string }>;
  /**
   * Unless turned off (`stripeConformance: false`): every JSON answer under /v1 is checked against Stripe's OpenAPI document as it is sent
   * (test/helpers/stripe-conformance.ts). `take()` returns and clears the violations seen so far; `exercised` holds
   * every `METHOD /route/:template` answered with a 2xx, so a test can prove it covered every route; `fields` the
   * fields of each Stripe component schema the answers carried (the source of src/api/openapi/rendered-fields.json).
   */
  conformance: { take(): ConformanceViolation[]; exercised: Set<string>; fields: RenderedFields } | undefined;
  close(): Promise<void>;
}

/** Starts the API on an ephemeral port over a fresh database, with one account. */
export interface TestServerOptions {
  /** Run the webhook delivery worker in-process with these settings (over the defaults). */
  webhookWorker?: Partial<WebhookSettings>;
  /** Webhook settings (over the defaults) for a server without the in-process worker. */
  webhookSettings?: Partial<WebhookSettings>;
  /**
   * Orchestration settings (over the defaults): connector timeouts, inline syncs, the janitor's schedule. Fixed for
   * the server's life (the dependencies are frozen): a test that needs other settings starts a server of its own.
   */
  orchestration?: Partial<OrchestrationSettings>;
  /** Routing health to start from, e.g. circuit breakers with a short cooldown (new, empty ones by default). */
  routingHealth?: Partial<RoutingHealth>;
  /**
   * Check every answer against Stripe's OpenAPI document and Payrail's own. On by default, so every end-to-end test
   * proves its answers are Stripe's; PAYRAIL_STRIPE_CONFORMANCE=0 turns it off for a run (to tell a behaviour failure
   * from a conformance one). `close()` fails when violations were seen and not taken.
   */
  stripeConformance?: boolean;
  /** Group commit settings (platform/group-commit.ts); one lane makes concurrent requests share batches. */
  groupCommit?: GroupCommitSettings;
  /** Limits on publishable keys' requests per minute (src/api/publishable-rate-limits.ts). */
  publishableRateLimits?: PublishableRateLimits;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const clock = new AdjustableClock();
  await loadRatesFile(database.db, defaultExchangeRatesFile, clock.nowSeconds());
  const webhookSettings: WebhookSettings = { ...defaultWebhookSettings, ...options.webhookSettings, ...options.webhookWorker };
  // The port is known only once listening: the dependencies read the public URL through this provider.
  let baseUrl = '';
  const deps: Dependencies = buildDependencies({
    db: database.db, secretBox: new SecretBox(randomBytes(32)), connector: new TestProcessor(), publicUrl: () => baseUrl, clock, webhookSettings,
    orchestration: { ...defaultOrchestrationSettings, ...options.orchestration }, routingHealth: options.routingHealth, groupCommit: options.groupCommit,
  });
  const worker = options.webhookWorker ? await startWebhookWorker(deps, database.url, webhookSettings) : undefined;
  const app = buildApp(deps, { publishableRateLimits: options.publishableRateLimits });
  const conformance = (options.stripeConformance ?? process.env.PAYRAIL_STRIPE_CONFORMANCE !== '0') ? watchConformance(app) : undefined;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;

  const stripeFor = (key: string) => new Stripe(key, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  const makeAccount = async (name = 'Test account'): Promise<TestAccount> => {
    const issued = await createAccount(database.db, name);
    return { accountId: issued.accountId, secretKey: issued.secretKey, publishableKey: issued.publishableKey, stripe: stripeFor(issued.secretKey) };
  };
  const account = await makeAccount();

  return {
    baseUrl,
    port,
    db: database.db,
    deps,
    clock,
    account,
    createAccount: makeAccount,
    liveKeys: async (accountId) => {
      const keys = await issueKeys(database.db, accountId, true);
      return { ...keys, stripe: stripeFor(keys.secretKey) };
    },
    stripeFor,
    request: async (method, path, options = {}) => {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
      if (options.contentType) headers['content-type'] = options.contentType;
      const response = await fetch(baseUrl + path, { method, headers, body: options.body, redirect: 'manual' });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, json, text };
    },
    webhookWorker: worker,
    databaseUrl: database.url,
    conformance,
    close: async () => {
      await app.close();
      await worker?.stop();
      await deps.commits.close();
      await database.drop();
      const left = conformance?.take() ?? [];
      if (left.length > 0) throw new Error(`answers that do not match Stripe's OpenAPI document:\n${formatViolations(left)}`);
    },
  };
}

/** Checks each JSON answer as Fastify sends it, so whatever the client (SDK or raw HTTP) receives is covered. */
function watchConformance(app: ReturnType<typeof buildApp>): NonNullable<TestServer['conformance']> {
  let violations: ConformanceViolation[] = [];
  const exercised = new Set<string>();
  const fields: RenderedFields = new Map();
  app.addHook('onSend', async (request, reply, payload) => {
    const contentType = String(reply.getHeader('content-type') ?? '');
    if (typeof payload !== 'string' || !contentType.startsWith('application/json')) return payload;
    // Fastify answers `/v1/customers/search/` as `/v1/customers/search`: the answer is checked as the route's.
    const urlPath = request.url.split('?')[0].replace(/(.)\/+$/, '$1');
    const status = reply.statusCode;
    if (status < 300 && request.routeOptions.url) exercised.add(`${request.method} ${request.routeOptions.url}`);
    const body = JSON.parse(payload) as unknown;
    // While fields are being recorded, the served document is the one about to be regenerated: it is not checked.
    const recording = process.env.PAYRAIL_RECORD_FIELDS === '1';
    let errors: string[];
    try {
      errors = [...stripeViolations(request.method, urlPath, status, body), ...(recording ? [] : payrailDocumentViolations(request.method, urlPath, status, body))];
      // A publishable key holding a client secret sees an object's public fields only (payments/client-secret.ts),
      // a subset Stripe's document does not describe: the fields it has are checked, the absent ones are not missed.
      if (/^Bearer pk_/.test(String(request.headers.authorization ?? ''))) errors = errors.filter((error) => !/required property/.test(error));
      if (errors.length === 0) recordAnswer(request.method, urlPath, status, body, fields);
    } catch (error) {
      // A check that cannot run (a schema the document lacks) is a violation to report, not a broken answer.
      errors = [`the check failed: ${(error as Error).message}`];
    }
    if (errors.length > 0) violations.push({ operation: `${request.method} ${urlPath}`, status, errors });
    return payload;
  });
  return {
    exercised,
    fields,
    take: () => {
      const taken = violations;
      violations = [];
      return taken;
    },
  };
}

export function formatViolations(violations: ConformanceViolation[]): string {
  return violations.map((violation) => `${violation.operation} ${violation.status}:\n  ${violation.errors.join('\n  ')}`).join('\n');
}
