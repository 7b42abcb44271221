/** The API version Payrail's objects follow; events record it as Stripe's do. */
export const apiVersion = '2025-10-29.clover';

/** An `events` row. */
export interface EventRow {
  id: string;
  account_id: string;
  livemode: boolean;
  type: string;
  api_version: string | null;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  request_id: string | null;
  idempotency_key: string | null;
  created: number;
}

export interface NewEvent {
  type: string;
  /** The API rendering of the changed object, never containing card numbers or secrets. */
  object: Record<string, unknown>;
  previousAttributes?: Record<string, unknown>;
}
