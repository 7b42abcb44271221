import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { publicErrorBody, shouldRetryHeader } from './error-response.ts';

/**
 * Limits of the HTTP connection itself, and how a request that breaks them is answered so that the client can always
 * read the answer: a Stripe error envelope with a `Request-Id`, then `Connection: close`.
 */

/** Largest request line plus headers, in bytes (Node's default is 16 KiB; a 1,000-parameter query needs more). */
export const requestHeaderBytesMax = 64 * 1024;
/**
 * How much of a refused body (over the size limit, or of a type that is not parsed) is read and thrown away before
 * answering. A server that answers and closes while the client is still sending makes the client's kernel see a
 * reset, and the client loses the answer; reading the rest first lets it read the 413. Past this, the connection is
 * closed anyway.
 */
export const refusedBodyDrainBytesMax = 16 * 1024 * 1024;
/** How long a refused body may pause between chunks while it is drained, in milliseconds. */
export const refusedBodyDrainIdleMs = 10_000;
/** How long a connection refused at the HTTP level stays open to read what the client still sends, in milliseconds. */
export const refusedConnectionLingerMs = 5_000;

/**
 * Reads and discards the rest of a request body, up to `refusedBodyDrainBytesMax`. Resolves true when the body was
 * read to its end, false when the bound or the idle time was reached (the caller then closes the connection).
 */
export function drainRequestBody(raw: IncomingMessage): Promise<boolean> {
  if (raw.complete || raw.destroyed) return Promise.resolve(raw.complete);
  return new Promise((resolve) => {
    let received = 0;
    let timer: NodeJS.Timeout;
    const finish = (drained: boolean) => {
      clearTimeout(timer);
      raw.removeListener('data', onData);
      raw.removeListener('end', onEnd);
      raw.removeListener('close', onClose);
      raw.removeListener('error', onClose);
      resolve(drained);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), refusedBodyDrainIdleMs);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > refusedBodyDrainBytesMax) finish(false);
      else arm();
    };
    const onEnd = () => finish(true);
    const onClose = () => finish(raw.complete);
    raw.on('data', onData);
    raw.once('end', onEnd);
    raw.once('close', onClose);
    raw.once('error', onClose);
    arm();
    raw.resume();
  });
}

const answered = new WeakSet<Duplex>();

function clientErrorOf(code: string | undefined): ApiError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError('request_headers_too_large', `Request headers are too large: the request line and headers may be at most ${requestHeaderBytesMax} bytes together.`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_REQUEST_HEADERS_TIMEOUT':
      return new ApiError('request_timeout', 'The request did not arrive in full in time.');
    default:
      return new ApiError('request_malformed', 'Malformed HTTP request.');
  }
}

/**
 * The http server's `clientError` handler: requests Node refuses before any route runs (headers over the limit,
 * malformed HTTP, timeouts). Node's own answer has no Stripe envelope and no `Request-Id`, and destroys the socket
 * at once, so a client still sending loses it. This one writes a full response with `Connection: close`, ends the
 * connection, and keeps reading (and discarding) for a short while, so the client reads the answer.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // The parser reports again as more bytes arrive on a refused connection: one answer is enough.
  if (answered.has(socket)) return;
  answered.add(socket);
  const apiError = clientErrorOf(error.code);
  const body = JSON.stringify({ error: publicErrorBody(apiError) });
  const retry = shouldRetryHeader(apiError.status);
  const head = [
    `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `Request-Id: ${newId('req')}`,
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    ...(retry ? [`Stripe-Should-Retry: ${retry}`] : []),
    'Connection: close',
  ];
  if (socket.writable) socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
  socket.end();
  socket.on('error', () => undefined);
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), refusedConnectionLingerMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
