/**
 * Mollie's error answer (docs.mollie.com "Handling errors"; components.schemas.error-response in
 * Mollie's OpenAPI description, github.com/mollie/openapi): `application/hal+json` with `status`, `title` (the HTTP reason), `detail`, the offending
 * `field` when one is to blame, and `_links.documentation`.
 */

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Where Mollie's errors point (docs.mollie.com "Handling errors"): authentication for a 401, the error list otherwise. */
const documentationUrls = { authentication: 'https://docs.mollie.com/guides/authentication', errors: 'https://docs.mollie.com/errors' };

/** A Mollie error; thrown by the processor and rendered by the server. */
export class MollieError extends Error {
  readonly status: number;
  readonly field: string | undefined;

  constructor(status: number, detail: string, field?: string) {
    super(detail);
    this.status = status;
    this.field = field;
  }

  /** 422 naming the request field to blame, Mollie's answer to most bad input. */
  static field(field: string, detail: string): MollieError {
    return new MollieError(422, detail, field);
  }

  static notFound(kind: string, id: string): MollieError {
    // Mollie's wording; the id is the caller's own (never a secret), so echoing it is safe.
    return new MollieError(404, `No ${kind} exists with token ${id}.`);
  }

  /** 410: the object existed and was deleted (Mollie v2 answers so for deleted customers). */
  static gone(kind: string, id: string): MollieError {
    return new MollieError(410, `The ${kind} ${id} has been deleted.`);
  }

  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = { status: this.status, title: titles[this.status] ?? titles[500], detail: this.message };
    if (this.field !== undefined) body.field = this.field;
    body._links = { documentation: { href: this.status === 401 ? documentationUrls.authentication : documentationUrls.errors, type: 'text/html' } };
    return body;
  }
}
