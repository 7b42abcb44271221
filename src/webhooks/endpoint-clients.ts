import { buildConnector, Pool } from 'undici';
import { resolveAllowed, type AddressPolicy } from './address-guard.ts';

/** A pool unused this long is closed (its kept-alive connections with it). */
const poolIdleMs = 120_000;
/** How often idle pools are looked for. */
const evictionIntervalMs = 30_000;
/** A kept-alive connection unused this long is closed (receivers often close theirs after 5 s). */
const keepAliveTimeoutMs = 4_000;
/** Endpoints with a pool at once, at most; beyond it the least recently used pool is closed. */
const poolsMax = 10_000;

/**
 * A request slot to one endpoint, held from before the request is sent until its response has been read. Slots bound
 * the requests in flight to one endpoint (and so its connections).
 */
export interface EndpointSlot {
  pool: Pool;
  release(): void;
}

interface EndpointClient {
  pool: Pool;
  inFlight: number;
  waiting: (() => void)[];
  lastUsedAt: number;
}

/**
 * One undici connection pool per endpoint (keyed by endpoint, URL origin and address policy), with keep-alive and at
 * most `connectionsPerEndpoint` connections: a busy endpoint gets its deliveries over a few reused connections
 * instead of a TCP (and TLS) handshake per delivery.
 *
 * Every new connection resolves the host and checks every address it resolves to against the endpoint's address
 * policy, then connects to the checked address (resolveAllowed); a connection that is reused was checked when it was
 * opened, so DNS rebinding still cannot point a request at a forbidden address. Why undici and not node:http's Agent:
 * undici is the HTTP client Node's own fetch is built on, and costs clearly less CPU per request, which at thousands
 * of deliveries per second is most of the worker's time.
 */
export class EndpointClients {
  private readonly clients = new Map<string, EndpointClient>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly connectionsPerEndpoint: number) {
    this.timer = setInterval(() => this.evictIdle(Date.now() - poolIdleMs), evictionIntervalMs);
    this.timer.unref();
  }

  /**
   * Waits for a free slot to the endpoint, for at most `waitMaxMs`; undefined when it gives up. The caller must
   * `release()` a slot once the response has been read.
   */
  async acquire(endpointId: string, origin: string, policy: AddressPolicy, waitMaxMs: number): Promise<EndpointSlot | undefined> {
    const client = this.clientFor(endpointId, origin, policy);
    client.lastUsedAt = Date.now();
    if (client.inFlight < this.connectionsPerEndpoint) {
      client.inFlight += 1;
    } else {
      const granted = await new Promise<boolean>((resolve) => {
        const waiter = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          client.waiting.splice(client.waiting.indexOf(waiter), 1);
          resolve(false);
        }, waitMaxMs);
        client.waiting.push(waiter);
      });
      if (!granted) return undefined;
    }
    let released = false;
    return {
      pool: client.pool,
      release: () => {
        if (released) return;
        released = true;
        client.lastUsedAt = Date.now();
        // The slot passes straight to the next waiter (inFlight stays), or is freed.
        const next = client.waiting.shift();
        if (next) next();
        else client.inFlight -= 1;
      },
    };
  }

  /** Closes every pool (at stop, after the deliveries in flight have finished). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const pools = [...this.clients.values()].map((client) => client.pool);
    this.clients.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }

  private clientFor(endpointId: string, origin: string, policy: AddressPolicy): EndpointClient {
    const key = clientKey(endpointId, origin, policy);
    let client = this.clients.get(key);
    if (client) {
      // Most recently used last, so the first entries are the ones to close when there are too many.
      this.clients.delete(key);
      this.clients.set(key, client);
      return client;
    }
    if (this.clients.size >= poolsMax) this.evictOldest();
    client = { pool: guardedPool(origin, policy, this.connectionsPerEndpoint), inFlight: 0, waiting: [], lastUsedAt: Date.now() };
    this.clients.set(key, client);
    return client;
  }

  private evictIdle(before: number): void {
    for (const [key, client] of this.clients) {
      if (client.inFlight === 0 && client.lastUsedAt < before) {
        this.clients.delete(key);
        void client.pool.close().catch(() => undefined);
      }
    }
  }

  private evictOldest(): void {
    for (const [key, client] of this.clients) {
      if (client.inFlight > 0) continue;
      this.clients.delete(key);
      void client.pool.close().catch(() => undefined);
      return;
    }
  }
}

function clientKey(endpointId: string, origin: string, policy: AddressPolicy): string {
  return `${endpointId} ${policy} ${origin}`;
}

/** An undici pool whose every new connection goes to an address checked against the policy. */
function guardedPool(origin: string, policy: AddressPolicy, connections: number): Pool {
  const connect = buildConnector({});
  // The host as the endpoint's URL spells it ([::1] with its brackets), which a refusal names.
  const hostname = new URL(origin).hostname;
  return new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: keepAliveTimeoutMs,
    // The delivery's own timer bounds the whole request (src/webhooks/sender.ts); undici's own timeouts stay out of it.
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: (options, callback) => {
      resolveAllowed(hostname, policy).then(
        (pinned) => connect({ ...options, hostname: pinned.address }, callback),
        (error: Error) => callback(error, null),
      );
    },
  });
}
