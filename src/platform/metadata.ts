import { ApiError } from './errors.ts';

/** Stripe's metadata limits. */
export const metadataKeysMax = 50;
export const metadataKeyLengthMax = 40;
export const metadataValueLengthMax = 500;

/** A metadata update: key -> value, where '' deletes the key; `null` (the whole value sent as '') deletes every key. */
export type MetadataUpdate = Record<string, string> | null;

/** Applies a metadata update to stored metadata, enforcing the key limit on the result. */
export function mergeMetadata(current: Record<string, string>, update: MetadataUpdate | undefined, param = 'metadata'): Record<string, string> {
  if (update === undefined) return current;
  if (update === null) return {};
  // A prototype-less object, so that a key such as `__proto__` is just a key.
  const next: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, current);
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > metadataKeysMax) {
    throw new ApiError('invalid_metadata', `Invalid metadata: metadata can have up to ${metadataKeysMax} keys`, { param });
  }
  return next;
}

