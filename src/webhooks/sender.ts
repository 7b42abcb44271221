import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveAllowed, type AddressPolicy } from './address-guard.ts';

/** Bytes of a response body kept as the attempt's excerpt. */
export const responseExcerptBytes = 1_024;

export interface SendInput {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Most bytes of a response body read before the connection is dropped. */
  responseBytesMax: number;
  policy: AddressPolicy;
}

export interface SendResult {
  statusCode: number | null;
  latencyMs: number;
  succeeded: boolean;
  excerpt: string | null;
  error: string | null;
}

/**
 * POSTs one webhook. A 2xx status within the timeout is success; anything else (another status, a redirect, which is
 * never followed, a timeout, a refused address, a network error) is a failure with its reason. The host is resolved
 * and checked once and the connection goes to that checked address.
 */
export async function sendWebhook(input: SendInput): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let target: URL;
  try {
    target = new URL(input.url);
  } catch {
    return { statusCode: null, latencyMs: 0, succeeded: false, excerpt: null, error: 'invalid URL' };
  }
  let pinned: { address: string; family: 4 | 6 };
  try {
    pinned = await resolveAllowed(target.hostname, input.policy);
  } catch (error) {
    return { statusCode: null, latencyMs: elapsed(), succeeded: false, excerpt: null, error: (error as Error).message };
  }
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    // Once the status line has arrived, running out of time while reading the body still counts that status.
    let finishWithResponse: (() => void) | undefined;
    const finish = (result: Omit<SendResult, 'latencyMs'>, latencyMs = elapsed()) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs });
    };
    const request = transport.request(target, {
      method: 'POST',
      headers: { ...input.headers, 'content-length': String(Buffer.byteLength(input.body)) },
      lookup,
      agent: false,
    }, (response) => {
      const headersAt = elapsed();
      const statusCode = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let received = 0;
      const done = () => {
        // Cut at a byte limit, then drop a character the cut split (it would decode as U+FFFD).
        const excerpt = Buffer.concat(chunks).subarray(0, responseExcerptBytes).toString('utf8').replace(/\uFFFD$/, '');
        const succeeded = statusCode >= 200 && statusCode < 300;
        finish({ statusCode, succeeded, excerpt, error: succeeded ? null : statusCode >= 300 && statusCode < 400 ? 'redirect not followed' : `HTTP ${statusCode}` }, headersAt);
        response.destroy();
      };
      finishWithResponse = done;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (chunks.reduce((sum, part) => sum + part.length, 0) < responseExcerptBytes) chunks.push(chunk);
        if (received >= input.responseBytesMax) done();
      });
      response.on('end', done);
      response.on('error', done);
    });
    const timer = setTimeout(() => {
      if (finishWithResponse) finishWithResponse();
      else finish({ statusCode: null, succeeded: false, excerpt: null, error: `timed out after ${input.timeoutMs} ms` });
      request.destroy();
    }, input.timeoutMs);
    request.on('error', (error) => finish({ statusCode: null, succeeded: false, excerpt: null, error: error.message }));
    request.end(input.body);
  });
}
