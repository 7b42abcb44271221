/**
 * What a request string may hold. PostgreSQL text cannot store NUL, and an unpaired UTF-16 surrogate has no UTF-8
 * form: both are refused at the edge, naming the parameter, instead of surfacing later as database errors (500s).
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

/** Shortest run of digits treated as a possible card or account number (PANs are 12 to 19 digits). */
export const sensitiveDigitsLengthMin = 12;
/** A run of at least 12 digits, possibly split by spaces, dots or dashes as people type card numbers. */
const digitRun = /\d(?:[\s.-]*\d){11,}/g;

/**
 * Masks anything that could be a card or account number before text leaves the server in an error message or a log
 * line. Error messages echo parts of the request; a card number must never be among them, valid or not.
 */
export function maskDigitRuns(text: string): string {
  return text.replace(digitRun, (run) => `${'*'.repeat(Math.min(run.length, 4))}[redacted]`);
}

/**
 * Parameters whose values are never echoed in an error message, whatever they hold: card data, bank account
 * numbers, secrets. Matched on the last bracket segment of the parameter name (`card[number]` -> `number`).
 */
const sensitiveNames = new Set(['number', 'cvc', 'account_number', 'iban', 'routing_number', 'secret', 'client_secret', 'password', 'api_key', 'token']);

export function isSensitiveParam(param: string): boolean {
  const last = /([^[\]]+)\]?$/.exec(param)?.[1] ?? param;
  return sensitiveNames.has(last) || last.endsWith('_secret') || last.endsWith('secret_key');
}
