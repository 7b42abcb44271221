/** What an API operation of the Mercado Pago sandbox answers: an HTTP status and a JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

/** Whether a parsed JSON value is an object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
