import qs from 'qs';
import { ApiError } from '../platform/errors.ts';

/** Largest request body accepted, in bytes. */
export const requestBodyBytesMax = 256 * 1024;
/** Most parameters in one form body or query string. */
export const formParametersMax = 1000;
/** Deepest bracket nesting (`a[b][c][d][e]`). */
export const formDepthMax = 6;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function badBody(message: string): ApiError {
  return new ApiError('invalid_request_body', message);
}

export function decodeUtf8(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw badBody('Invalid request body: the body is not valid UTF-8.');
  }
}

function strictDecoder(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw badBody('Invalid request: malformed percent-encoding.');
  }
}

/** Parses Stripe's form encoding with bracket notation (`metadata[a]=b`, `expand[]=x`, `items[0][price]=y`). */
export function parseForm(text: string): Record<string, unknown> {
  if (text === '') return {};
  let parsed: Record<string, unknown>;
  try {
    parsed = qs.parse(text, {
    depth: formDepthMax,
    parameterLimit: formParametersMax,
    arrayLimit: 100,
    plainObjects: true,
    allowPrototypes: false,
    strictDepth: true,
    throwOnLimitExceeded: true,
    decoder: strictDecoder,
  } as qs.IParseOptions);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw badBody(`Invalid request: ${(error as Error).message}.`);
  }
  return checkStrings(parsed) as Record<string, unknown>;
}

export function parseJson(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badBody('Invalid request body: malformed JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badBody('Invalid request body: a JSON body must be an object.');
  return checkStrings(parsed) as Record<string, unknown>;
}

/**
 * PostgreSQL text cannot hold NUL, and lone UTF-16 surrogates cannot be stored as UTF-8: both are refused here,
 * at the edge, as bad input, instead of surfacing later as database errors.
 */
function checkStrings(value: unknown, depth = 0): unknown {
  if (depth > formDepthMax + 2) throw badBody('Invalid request: parameters are nested too deeply.');
  if (typeof value === 'string') {
    if (value.includes('\u0000') || !value.isWellFormed()) throw badBody('Invalid request: strings may not contain NUL characters or unpaired surrogates.');
    return value;
  }
  if (Array.isArray(value)) {
    for (const item of value) checkStrings(item, depth + 1);
    return value;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      checkStrings(key, depth + 1);
      checkStrings(item, depth + 1);
    }
  }
  return value;
}

export function parseQueryString(url: string): Record<string, unknown> {
  const index = url.indexOf('?');
  if (index === -1) return {};
  try {
    return parseForm(url.slice(index + 1));
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw badBody('Invalid query string.');
  }
}
