import { ApiError } from '../platform/errors.ts';
import type { RangeBounds } from '../platform/pagination.ts';
import { metadataKeyLengthMax, metadataKeysMax, metadataValueLengthMax, type MetadataUpdate } from '../platform/metadata.ts';
import { isSensitiveParam, isStorableText, maskDigitRuns } from './text.ts';

/**
 * A small schema language for request parameters. One definition does three jobs: it validates and coerces
 * form-encoded (all strings) and JSON (typed) input into typed values, it produces Stripe-shaped errors whose
 * `param` uses Stripe's bracket notation (`card[exp_month]`), and it renders itself as JSON Schema for the
 * OpenAPI document, so the document cannot drift from what the server accepts.
 */

export type JsonSchema = Record<string, unknown>;

export interface Schema<T> {
  /** Validates `value` (undefined when absent) found at `param`; returns the typed value. */
  parse(value: unknown, param: string): T;
  toJsonSchema(): JsonSchema;
  readonly description?: string;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** Longest string any parameter accepts unless it says otherwise. */
export const stringLengthDefaultMax = 5000;
export const arrayItemsDefaultMax = 100;

/**
 * How a refused value is shown in an error message: never at all for card data, bank account numbers and secrets
 * (an error body can end up in a merchant's logs), elsewhere shortened and with any card-number-like digit run masked.
 */
function describe(value: unknown, param: string): string {
  if (isSensitiveParam(param)) return typeof value === 'string' ? 'a string (not shown)' : Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (typeof value === 'string') return maskDigitRuns(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : maskDigitRuns(String(value));
}

function invalid(param: string, message: string, code: 'invalid_value' | 'parameter_invalid_integer' | 'invalid_string_length' | 'parameter_invalid_empty' = 'invalid_value'): ApiError {
  return new ApiError(code, message, { param });
}

export function childParam(parent: string, key: string | number): string {
  return parent === '' ? String(key) : `${parent}[${key}]`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function string(options: { maxLength?: number; minLength?: number; pattern?: RegExp; patternMessage?: string; description?: string } = {}): Schema<string | undefined> {
  const maxLength = options.maxLength ?? stringLengthDefaultMax;
  return {
    description: options.description,
    parse(value, param) {
      if (value === undefined) return undefined;
      if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
      if (typeof value !== 'string') throw invalid(param, `Invalid ${param}: expected a string, got ${describe(value, param)}`);
      if (!isStorableText(value)) throw invalid(param, `Invalid ${param}: strings must be valid UTF-8 and may not contain NUL characters or unpaired surrogates`);
      if (value.length > maxLength) throw invalid(param, `Invalid string: ${describe(value, param)}; must be at most ${maxLength} characters`, 'invalid_string_length');
      if (options.minLength !== undefined && value.length < options.minLength) {
        throw invalid(param, `Invalid string: ${describe(value, param)}; must be at least ${options.minLength} characters`, 'invalid_string_length');
      }
      if (options.pattern && !options.pattern.test(value)) throw invalid(param, options.patternMessage ?? `Invalid ${param}: ${describe(value, param)}`);
      return value;
    },
    toJsonSchema() {
      const schema: JsonSchema = { type: 'string', maxLength };
      if (options.minLength !== undefined) schema.minLength = options.minLength;
      if (options.pattern) schema.pattern = options.pattern.source;
      if (options.description) schema.description = options.description;
      return schema;
    },
  };
}

export function integer(options: { minimum?: number; maximum?: number; description?: string } = {}): Schema<number | undefined> {
  const minimum = options.minimum ?? Number.MIN_SAFE_INTEGER;
  const maximum = options.maximum ?? Number.MAX_SAFE_INTEGER;
  return {
    description: options.description,
    parse(value, param) {
      if (value === undefined) return undefined;
      let parsed: number;
      if (typeof value === 'number') parsed = value;
      else if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) parsed = Number(value);
      else throw invalid(param, `Invalid integer: ${describe(value, param)}`, 'parameter_invalid_integer');
      if (!Number.isSafeInteger(parsed)) throw invalid(param, `Invalid integer: ${describe(value, param)}`, 'parameter_invalid_integer');
      if (parsed < minimum) throw invalid(param, `Invalid ${param}: must be at least ${minimum}`);
      if (parsed > maximum) throw invalid(param, `Invalid ${param}: must be at most ${maximum}`);
      return parsed;
    },
    toJsonSchema() {
      const schema: JsonSchema = { type: 'integer' };
      if (options.minimum !== undefined) schema.minimum = options.minimum;
      if (options.maximum !== undefined) schema.maximum = options.maximum;
      if (options.description) schema.description = options.description;
      return schema;
    },
  };
}

export function boolean(options: { description?: string } = {}): Schema<boolean | undefined> {
  return {
    description: options.description,
    parse(value, param) {
      if (value === undefined) return undefined;
      // Stripe's v1 API takes the words in any case: its Python library sent `str(True)` ("True") before v12.
      if (value === true || (typeof value === 'string' && value.toLowerCase() === 'true')) return true;
      if (value === false || (typeof value === 'string' && value.toLowerCase() === 'false')) return false;
      throw invalid(param, `Invalid boolean: ${describe(value, param)}`);
    },
    toJsonSchema: () => ({ type: 'boolean', ...(options.description ? { description: options.description } : {}) }),
  };
}

export function enumeration<const V extends string>(values: readonly V[], options: { description?: string } = {}): Schema<V | undefined> {
  return {
    description: options.description,
    parse(value, param) {
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
        throw invalid(param, `Invalid ${param}: must be one of ${values.join(', ')}`);
      }
      return value as V;
    },
    toJsonSchema: () => ({ type: 'string', enum: [...values], ...(options.description ? { description: options.description } : {}) }),
  };
}

/** Stripe lets some parameters be unset by sending an empty string; such values come out as `null`. */
export function emptyable<T>(inner: Schema<T | undefined>): Schema<T | null | undefined> {
  return {
    description: inner.description,
    parse(value, param) {
      if (value === '' || value === null) return null;
      return inner.parse(value, param);
    },
    toJsonSchema: () => ({ anyOf: [inner.toJsonSchema(), { type: 'string', enum: [''] }] }),
  };
}

export function array<T>(item: Schema<T | undefined>, options: { maxItems?: number; description?: string } = {}): Schema<T[] | undefined> {
  const maxItems = options.maxItems ?? arrayItemsDefaultMax;
  return {
    description: options.description,
    parse(value, param) {
      if (value === undefined) return undefined;
      let items: unknown[];
      if (Array.isArray(value)) items = value;
      else if (isPlainObject(value) && Object.keys(value).every((key) => /^\d+$/.test(key))) {
        // Form bodies with sparse or high indices arrive as objects keyed by index.
        items = Object.keys(value).sort((a, b) => Number(a) - Number(b)).map((key) => value[key]);
      } else throw invalid(param, `Invalid array`);
      if (items.length > maxItems) throw invalid(param, `Invalid ${param}: at most ${maxItems} items are allowed`);
      return items.map((entry, index) => {
        const parsed = item.parse(entry, childParam(param, index));
        if (parsed === undefined) throw invalid(childParam(param, index), 'Invalid array item');
        return parsed;
      });
    },
    toJsonSchema: () => ({ type: 'array', items: item.toJsonSchema(), maxItems, ...(options.description ? { description: options.description } : {}) }),
  };
}

type Properties = Record<string, Schema<unknown>>;
export type ObjectOf<P extends Properties> = { [K in keyof P]: Infer<P[K]> };

export interface ObjectSchema<P extends Properties> extends Schema<ObjectOf<P> | undefined> {
  readonly properties: P;
  readonly required: readonly (keyof P & string)[];
}

/** An object whose keys are all known: any other key is `parameter_unknown`, naming it in bracket notation. */
export function object<P extends Properties>(properties: P, options: { required?: readonly (keyof P & string)[]; description?: string } = {}): ObjectSchema<P> {
  const required = options.required ?? [];
  return {
    properties,
    required,
    description: options.description,
    parse(value, param) {
      if (value === undefined) return undefined;
      if (!isPlainObject(value)) throw invalid(param, `Invalid ${param === '' ? 'request' : param}: expected an object`);
      for (const key of Object.keys(value)) {
        if (!Object.prototype.hasOwnProperty.call(properties, key)) {
          const name = childParam(param, key);
          throw new ApiError('parameter_unknown', `Received unknown parameter: ${name}`, { param: name });
        }
      }
      const result: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(properties)) {
        const name = childParam(param, key);
        const parsed = schema.parse(value[key], name);
        if (parsed === undefined && required.includes(key)) {
          throw new ApiError('parameter_missing', `Missing required param: ${name}.`, { param: name });
        }
        result[key] = parsed;
      }
      return result as ObjectOf<P>;
    },
    toJsonSchema() {
      const props: Record<string, JsonSchema> = {};
      for (const [key, schema] of Object.entries(properties)) props[key] = schema.toJsonSchema();
      const schema: JsonSchema = { type: 'object', properties: props, additionalProperties: false };
      if (required.length > 0) schema.required = [...required];
      if (options.description) schema.description = options.description;
      return schema;
    },
  };
}

/** A required wrapper for nested objects and fields: missing becomes `parameter_missing`. */
export function required<T>(inner: Schema<T | undefined>): Schema<T> {
  return {
    description: inner.description,
    parse(value, param) {
      const parsed = inner.parse(value, param);
      if (parsed === undefined) throw new ApiError('parameter_missing', `Missing required param: ${param}.`, { param });
      return parsed;
    },
    toJsonSchema: () => inner.toJsonSchema(),
  };
}

export function metadata(): Schema<MetadataUpdate | undefined> {
  return {
    description: 'Set of key-value pairs. Send an empty value to unset a key, or an empty string to unset all keys.',
    parse(value, param) {
      if (value === undefined) return undefined;
      if (value === '' || value === null) return null;
      if (!isPlainObject(value)) throw new ApiError('invalid_metadata', 'Invalid metadata: metadata must be an object of string keys and string values', { param });
      const entries = Object.entries(value);
      if (entries.length > metadataKeysMax) {
        throw new ApiError('invalid_metadata', `Invalid metadata: metadata can have up to ${metadataKeysMax} keys`, { param });
      }
      const result: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const [key, raw] of entries) {
        const name = childParam(param, key);
        if (key.length === 0 || key.length > metadataKeyLengthMax) {
          throw new ApiError('invalid_metadata', `Invalid metadata: keys must be 1 to ${metadataKeyLengthMax} characters long`, { param: name });
        }
        if (/[[\]]/.test(key)) throw new ApiError('invalid_metadata', 'Invalid metadata: keys cannot contain square brackets', { param: name });
        if (!isStorableText(key)) throw new ApiError('invalid_metadata', 'Invalid metadata: keys may not contain NUL characters or unpaired surrogates', { param: name });
        let text: string;
        if (typeof raw === 'string') text = raw;
        else if (raw === null) text = '';
        else if (typeof raw === 'number' || typeof raw === 'boolean') text = String(raw);
        else throw new ApiError('invalid_metadata', 'Invalid metadata: values must be strings', { param: name });
        if (!isStorableText(text)) throw new ApiError('invalid_metadata', 'Invalid metadata: values may not contain NUL characters or unpaired surrogates', { param: name });
        if (text.length > metadataValueLengthMax) {
          throw new ApiError('invalid_metadata', `Invalid metadata: values can be up to ${metadataValueLengthMax} characters long`, { param: name });
        }
        result[key] = text;
      }
      return result;
    },
    toJsonSchema: () => ({
      anyOf: [
        { type: 'object', additionalProperties: { type: 'string', maxLength: metadataValueLengthMax }, maxProperties: metadataKeysMax },
        { type: 'string', enum: [''] },
      ],
      description: 'Set of key-value pairs. Send an empty value to unset a key, or an empty string to unset all keys.',
    }),
  };
}

/** Stripe's `created` filter: an exact timestamp or an object of gt/gte/lt/lte bounds. */
export function rangeFilter(): Schema<RangeBounds | undefined> {
  const bounds = object({ gt: integer({ minimum: 0 }), gte: integer({ minimum: 0 }), lt: integer({ minimum: 0 }), lte: integer({ minimum: 0 }) });
  const exact = integer({ minimum: 0 });
  return {
    parse(value, param) {
      if (value === undefined) return undefined;
      if (isPlainObject(value)) {
        const parsed = bounds.parse(value, param)!;
        const result: RangeBounds = {};
        for (const key of ['gt', 'gte', 'lt', 'lte'] as const) if (parsed[key] !== undefined) result[key] = parsed[key];
        return result;
      }
      const at = exact.parse(value, param)!;
      return { gte: at, lte: at };
    },
    toJsonSchema: () => ({ anyOf: [bounds.toJsonSchema(), exact.toJsonSchema()] }),
  };
}

/** A string field with email shape. */
export function email(): Schema<string | undefined> {
  const inner = string({ maxLength: 800 });
  return {
    parse(value, param) {
      const text = inner.parse(value, param);
      if (text !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) {
        throw new ApiError('email_invalid', `Invalid email address: ${describe(text, param)}`, { param });
      }
      return text;
    },
    toJsonSchema: () => ({ type: 'string', format: 'email', maxLength: 800 }),
  };
}

export function url(): Schema<string | undefined> {
  const inner = string({ maxLength: 2048 });
  return {
    parse(value, param) {
      const text = inner.parse(value, param);
      if (text === undefined) return undefined;
      let parsed: URL;
      try {
        parsed = new URL(text);
      } catch {
        throw new ApiError('url_invalid', `Invalid URL: ${describe(text, param)}`, { param });
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ApiError('url_invalid', `Invalid URL: ${describe(text, param)}: must be http or https`, { param });
      return text;
    },
    toJsonSchema: () => ({ type: 'string', format: 'uri', maxLength: 2048 }),
  };
}
