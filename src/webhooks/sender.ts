import type { Pool } from 'undici';

/** Bytes of a response body kept as the attempt's excerpt. */
export const responseExcerptBytes = 1_024;

export interface SendInput {
  /** The endpoint's pool (src/webhooks/endpoint-clients.ts): kept-alive connections to checked addresses only. */
  pool: Pool;
  /** Path and query of the endpoint's URL. */
  path: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Most bytes of a response body read before the connection is dropped. */
  responseBytesMax: number;
}

export interface SendResult {
  statusCode: number | null;
  latencyMs: number;
  succeeded: boolean;
  excerpt: string | null;
  error: string | null;
}

/** The reason a request failed without a response, as the attempt records it (the system error behind undici's). */
function failureReason(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return (error as Error).message ?? String(error);
}

/**
 * POSTs one webhook. A 2xx status within the timeout is success; anything else (another status, a redirect, which is
 * never followed, a timeout, a refused address, a network error) is a failure with its reason. The latency runs to the
 * response headers. A body read to its end leaves the connection for the next delivery; one cut short (the byte limit,
 * the timeout) closes it.
 */
export async function sendWebhook(input: SendInput): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, input.timeoutMs);
  try {
    let response;
    try {
      response = await input.pool.request({
        method: 'POST',
        path: input.path,
        headers: { ...input.headers, 'content-length': String(Buffer.byteLength(input.body)) },
        body: input.body,
        signal: controller.signal,
      });
    } catch (error) {
      const reason = timedOut ? `timed out after ${input.timeoutMs} ms` : failureReason(error);
      return { statusCode: null, latencyMs: elapsed(), succeeded: false, excerpt: null, error: reason };
    }
    const latencyMs = elapsed();
    const statusCode = response.statusCode;
    const chunks: Buffer[] = [];
    let kept = 0;
    let received = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (kept < responseExcerptBytes) {
          chunks.push(chunk);
          kept += chunk.length;
        }
        if (received >= input.responseBytesMax) break;
      }
    } catch {
      // Out of time (or the connection dropped) while reading the body: the status that arrived still counts.
    }
    if (!response.body.readableEnded) response.body.destroy();
    // Cut at a byte limit, then drop a character the cut split (it would decode as U+FFFD).
    const excerpt = Buffer.concat(chunks).subarray(0, responseExcerptBytes).toString('utf8').replace(/\uFFFD$/, '');
    const succeeded = statusCode >= 200 && statusCode < 300;
    return { statusCode, latencyMs, succeeded, excerpt, error: succeeded ? null : statusCode >= 300 && statusCode < 400 ? 'redirect not followed' : `HTTP ${statusCode}` };
  } finally {
    clearTimeout(timer);
  }
}
