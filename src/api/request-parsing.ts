import qs from 'qs';
import { ApiError } from '../platform/errors.ts';
import { isStorableText } from './text.ts';

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

/**
 * Decodes a body as UTF-8. Invalid byte sequences are not refused here, where no parameter name is known: each is
 * replaced by `marker` (an escape that decodes to NUL in the body's own syntax: `%00` in a form, `\u0000` in JSON),
 * so the string check after parsing refuses it naming the parameter that held it. Outside a JSON string such a
 * marker is a syntax error, which is just as much a 400.
 */
export function decodeUtf8(bytes: Buffer, marker = '%00'): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeMarkingInvalid(bytes, marker);
  }
}

/** Length of the valid UTF-8 sequence starting at `index`, or 0 when the bytes there are not one (RFC 3629). */
function sequenceLength(bytes: Buffer, index: number): number {
  const first = bytes[index];
  if (first < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (first >= 0xc2 && first <= 0xdf) length = 2;
  else if (first >= 0xe0 && first <= 0xef) {
    length = 3;
    if (first === 0xe0) low = 0xa0;
    if (first === 0xed) high = 0x9f; // surrogates have no UTF-8 form
  } else if (first >= 0xf0 && first <= 0xf4) {
    length = 4;
    if (first === 0xf0) low = 0x90;
    if (first === 0xf4) high = 0x8f;
  } else return 0;
  if (index + length > bytes.length) return 0;
  for (let offset = 1; offset < length; offset += 1) {
    const byte = bytes[index + offset];
    const min = offset === 1 ? low : 0x80;
    const max = offset === 1 ? high : 0xbf;
    if (byte < min || byte > max) return 0;
  }
  return length;
}

function decodeMarkingInvalid(bytes: Buffer, marker: string): string {
  const parts: string[] = [];
  let start = 0;
  let index = 0;
  while (index < bytes.length) {
    const length = sequenceLength(bytes, index);
    if (length > 0) {
      index += length;
      continue;
    }
    parts.push(utf8.decode(bytes.subarray(start, index)), marker);
    index += 1;
    start = index;
  }
  parts.push(utf8.decode(bytes.subarray(start)));
  return parts.join('');
}

/** Percent-decoding that never throws: what cannot be decoded becomes NUL, refused below with the parameter's name. */
function strictDecoder(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return '\u0000';
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
  return checkStrings(parsed, '') as Record<string, unknown>;
}

export function parseJson(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badBody('Invalid request body: malformed JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badBody('Invalid request body: a JSON body must be an object.');
  return checkStrings(parsed, '') as Record<string, unknown>;
}

function paramName(parent: string, key: string): string {
  const shown = isStorableText(key) ? key : key.replace(/\u0000/g, '\ufffd').toWellFormed();
  return parent === '' ? shown : `${parent}[${shown}]`;
}

/**
 * PostgreSQL text cannot hold NUL, and lone UTF-16 surrogates cannot be stored as UTF-8: both (and bytes that were
 * not UTF-8, marked as NUL when decoding) are refused here, at the edge, as bad input naming the parameter, instead
 * of surfacing later as database errors.
 */
function checkStrings(value: unknown, param: string, depth = 0): unknown {
  if (depth > formDepthMax + 2) throw new ApiError('invalid_request_body', 'Invalid request: parameters are nested too deeply.', param === '' ? {} : { param });
  if (typeof value === 'string') {
    if (!isStorableText(value)) {
      throw new ApiError('invalid_request_body', `Invalid ${param}: strings must be valid UTF-8 and may not contain NUL characters or unpaired surrogates.`, { param });
    }
    return value;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkStrings(item, paramName(param, String(index)), depth + 1));
    return value;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const name = paramName(param, key);
      if (!isStorableText(key)) {
        throw new ApiError('invalid_request_body', `Invalid parameter name ${name}: names must be valid UTF-8 and may not contain NUL characters or unpaired surrogates.`, { param: name });
      }
      checkStrings(item, name, depth + 1);
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
