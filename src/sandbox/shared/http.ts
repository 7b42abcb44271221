import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { faultTimeoutHoldMs } from './faults.ts';

/**
 * HTTP plumbing the provider sandboxes share: a Fastify server that leaves bodies as raw strings (so each sandbox
 * answers a syntax error in its provider's error shape rather than Fastify's), JSON admin bodies, listening, and the connections a timeout fault holds.
 */

/** Largest request body a sandbox accepts (Adyen and PayPal bodies are a few hundred kilobytes at most). */
export const requestBodyBytesMax = 1024 * 1024;

/** A key and certificate (PEM) for a sandbox that serves HTTPS (the Mollie sandbox, whose official client needs it). */
export interface SandboxTls {
  key: string | Buffer;
  cert: string | Buffer;
}

/**
 * A Fastify server whose JSON and form bodies reach the handlers as raw strings, parsed there. Connections are
 * closed on `close()`, so a test's sandbox never keeps the process alive.
 */
export function createSandboxServer(tls?: SandboxTls): FastifyInstance {
  const settings = { logger: false, bodyLimit: requestBodyBytesMax, forceCloseConnections: true } as const;
  // An HTTPS server has another generic type; the handlers see the same request and reply either way.
  const app = (tls ? Fastify({ ...settings, https: { key: tls.key, cert: tls.cert } }) : Fastify(settings)) as unknown as FastifyInstance;
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  return app;
}

/** The request body as the raw string `createSandboxServer` keeps (empty when there is none). */
export function rawBody(request: FastifyRequest): string {
  return typeof request.body === 'string' ? request.body : '';
}

/** The request body parsed as JSON, or `undefined` when it is not JSON (JSON itself never parses to `undefined`). */
export function parseJsonBody(request: FastifyRequest): unknown {
  try {
    return JSON.parse(rawBody(request));
  } catch {
    return undefined;
  }
}

/** Listens on `host`:`port` (0 picks a free port) and returns the base URL and the port actually bound. */
export async function listenOn(app: FastifyInstance, port: number, host: string): Promise<{ url: string; port: number }> {
  await app.listen({ port, host });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the sandbox did not get a TCP address');
  const protocol = app.initialConfig.https ? 'https' : 'http';
  return { url: `${protocol}://${host.includes(':') ? `[${host}]` : host}:${address.port}`, port: address.port };
}

/**
 * Connections the "timeout after processing" fault holds open without an answer: each is dropped after
 * `faultTimeoutHoldMs`, or when the sandbox closes. Every sandbox's server keeps one.
 */
export class HeldConnections {
  readonly #sockets = new Set<Socket>();

  /** Takes the request's connection from Fastify and holds it, unanswered. */
  hold(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    reply.hijack();
    const socket = request.raw.socket;
    this.#sockets.add(socket);
    const timer = setTimeout(() => socket.destroy(), faultTimeoutHoldMs);
    socket.once('close', () => {
      clearTimeout(timer);
      this.#sockets.delete(socket);
    });
    return reply;
  }

  dropAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }
}
