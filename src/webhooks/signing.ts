import { createHmac } from 'node:crypto';
import { randomBase62 } from '../platform/ids.ts';

/** Random characters of a signing secret after `whsec_` (about 190 bits). */
export const secretRandomLength = 32;

export function generateSigningSecret(): string {
  return `whsec_${randomBase62(secretRandomLength)}`;
}

/** Stripe's v1 scheme: hex HMAC-SHA256, keyed by the whole `whsec_...` secret, over `${timestamp}.${payload}`. */
export function computeSignature(payload: string, secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
}

/**
 * The `Stripe-Signature` header: `t=<unix seconds>,v1=<signature>` with one `v1` per active secret. During a
 * secret rotation's overlap both the new and the old secret sign, so receivers verify with either (as Stripe does).
 */
export function signatureHeader(payload: string, secrets: readonly string[], timestamp: number): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${computeSignature(payload, secret, timestamp)}`)].join(',');
}
