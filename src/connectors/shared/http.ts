/**
 * HTTP plumbing every provider connector shares: one deadline per exchange, a bound on the response body, and the
 * split of fetch failures into "nothing was sent" (failover is safe) and "the provider may have acted" (ambiguous).
 * What a provider's status codes and error bodies mean stays in that provider's connector.
 */

/** Largest response body read from a provider; a payment, intent or order response is a few kilobytes. */
export const responseBytesMax = 1_048_576;

/** Upper bound on the per-request timeout a connector configuration may ask for. */
export const requestTimeoutMsMax = 120_000;

/** Connection errors that happen before any byte of the request is sent. */
export const notSentErrorCodes: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** Throws unless `timeoutMs` is an integer in 1..requestTimeoutMsMax (checked once, when a connector is built). */
export function assertRequestTimeout(timeoutMs: number): void {
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > requestTimeoutMsMax) {
    throw new Error(`timeoutMs must be an integer in 1..${requestTimeoutMsMax}`);
  }
}

/**
 * Sends one request and reads its body, both under `timeoutMs`: one deadline for the whole exchange, body included,
 * because a response that stalls half-way is as ambiguous as none. Throws what `fetch` throws, or when the body is
 * larger than `responseBytesMax`; classify the failure with `classifyFetchFailure`.
 */
export async function fetchWithDeadline(url: string, init: Omit<RequestInit, 'signal'>, timeoutMs: number): Promise<{ response: Response; text: string }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await readLimited(response, responseBytesMax);
  return { response, text };
}

/** What a failed exchange means: nothing reached the provider (`not_sent`, detail = system code), or it may have acted. */
export type FetchFailure = { kind: 'not_sent'; detail: string } | { kind: 'ambiguous'; detail: string };

/** Classifies an error thrown by `fetchWithDeadline`: only a connection that never opened is `not_sent`. */
export function classifyFetchFailure(error: unknown): FetchFailure {
  const code = connectionErrorCode(error);
  if (code !== null && notSentErrorCodes.has(code)) return { kind: 'not_sent', detail: code };
  return { kind: 'ambiguous', detail: describeError(error) };
}

/** Reads a response body up to `limit` bytes; a longer body is not the provider's and is treated as unreadable. */
export async function readLimited(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw new Error(`response larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The system error code behind a fetch failure (undici wraps it in `cause`, sometimes as an AggregateError). */
export function connectionErrorCode(error: unknown): string | null {
  const cause = (error as { cause?: unknown })?.cause as { code?: unknown; errors?: { code?: unknown }[] } | undefined;
  if (!cause) return null;
  if (typeof cause.code === 'string') return cause.code;
  const codes = (cause.errors ?? []).map((inner) => inner.code);
  return codes.length > 0 && codes.every((code) => code === codes[0]) && typeof codes[0] === 'string' ? codes[0] : null;
}

/** `Name: message` for an Error, the string form of anything else. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
