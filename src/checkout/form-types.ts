/** The hosted page's fields, flat (no brackets), as the form posts them. */
export type RawForm = Record<string, unknown>;

/** A field's problem, shown next to it (`field` is the input's name). */
export interface FieldError {
  field: string;
  message: string;
}
