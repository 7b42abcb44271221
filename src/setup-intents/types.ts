import type { RedirectToUrl } from '../connectors/connector.ts';

// The rows of SetupIntents and their attempts (db/migrations/024_setup_intents.sql) and the inputs of their
// operations. Pure types: nothing here knows about HTTP or SQL.

export const setupIntentStatuses = ['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'succeeded', 'canceled'] as const;
export type SetupIntentStatus = (typeof setupIntentStatuses)[number];

export const setupAttemptStatuses = ['requires_confirmation', 'requires_action', 'processing', 'succeeded', 'failed', 'abandoned'] as const;
export type SetupAttemptStatus = (typeof setupAttemptStatuses)[number];

export type SetupUsage = 'on_session' | 'off_session';
export const setupCancellationReasons = ['abandoned', 'requested_by_customer', 'duplicate'] as const;
export type SetupCancellationReason = (typeof setupCancellationReasons)[number];

/** `payment_method_options[card]` as a SetupIntent keeps it. */
export interface SetupCardOptions {
  request_three_d_secure?: 'automatic' | 'any' | 'challenge';
}

export interface SetupPaymentMethodOptions {
  card?: SetupCardOptions;
}

/** Stripe's `mandate_data[customer_acceptance]`, as given and stored. */
export interface CustomerAcceptance {
  type: 'online' | 'offline';
  accepted_at: number | null;
  online: { ip_address: string; user_agent: string } | null;
  offline: Record<string, never> | null;
}

export interface MandateData {
  customer_acceptance: CustomerAcceptance;
}

/** Stripe's `api_errors` as a SetupIntent's `last_setup_error` or an attempt's `setup_error`. */
export interface SetupError {
  type: 'card_error' | 'invalid_request_error';
  code: string;
  decline_code?: string;
  message: string;
  /** The PaymentMethod as rendered when the error happened (Stripe's `last_setup_error.payment_method`). */
  payment_method?: Record<string, unknown>;
}

export interface SetupIntentRow {
  id: string;
  account_id: string;
  livemode: boolean;
  status: SetupIntentStatus;
  client_secret: string;
  customer_id: string | null;
  payment_method_id: string | null;
  payment_method_types: string[];
  usage: SetupUsage;
  description: string | null;
  metadata: Record<string, string>;
  return_url: string | null;
  payment_method_options: SetupPaymentMethodOptions;
  mandate_data: MandateData | null;
  /** The mandate a sepa_debit SetupIntent made (Stripe's `mandate`); null for cards. */
  mandate_id: string | null;
  attach_to_self: boolean;
  last_setup_error: SetupError | null;
  next_action: Record<string, unknown> | null;
  latest_attempt_id: string | null;
  cancellation_reason: SetupCancellationReason | null;
  created: number;
}

export interface SetupAttemptRow {
  id: string;
  account_id: string;
  livemode: boolean;
  setup_intent_id: string;
  payment_method_id: string;
  customer_id: string | null;
  usage: SetupUsage;
  attach_to_self: boolean;
  status: SetupAttemptStatus;
  connector: string;
  connector_configuration_id: string | null;
  verification_currency: string;
  processor_reference: string | null;
  redirect: RedirectToUrl | null;
  setup_error: SetupError | null;
  payment_method_details: Record<string, unknown>;
  created: number;
  finished_at: Date | null;
  next_sync_at: Date | null;
  sync_count: number;
}

export interface SetupChallengeRow {
  id: string;
  account_id: string;
  livemode: boolean;
  setup_intent_id: string;
  setup_attempt_id: string;
  status: 'pending' | 'succeeded' | 'failed' | 'abandoned';
  return_url: string | null;
  created: number;
}

/** What a request answers: the SetupIntent, and the error of a declined confirmation (a 402, as at Stripe). */
export interface SetupIntentResult {
  intent: SetupIntentRow;
  error?: SetupError;
}

export interface CardOptionsInput {
  request_three_d_secure?: 'automatic' | 'any' | 'challenge';
}

export interface MandateDataInput {
  customer_acceptance: {
    type: 'online' | 'offline';
    accepted_at?: number;
    online?: { ip_address: string; user_agent: string };
    offline?: Record<string, never>;
  };
}

/** The fields create and update take (create takes more: usage, confirm-time fields). */
export interface SetupIntentFieldsInput {
  customer?: string | null;
  payment_method?: string | null;
  payment_method_types?: string[];
  description?: string | null;
  metadata?: import('../platform/metadata.ts').MetadataUpdate;
  payment_method_options?: { card?: CardOptionsInput | null } | null;
  attach_to_self?: boolean;
}

export interface SetupConfirmInput {
  payment_method?: string;
  /** A new PaymentMethod for this confirmation (sepa_debit: the IBAN and the account holder's name and e-mail). */
  payment_method_data?: import('../payment-methods/service.ts').PaymentMethodDataInput;
  return_url?: string;
  mandate_data?: MandateDataInput | null;
  payment_method_options?: { card?: CardOptionsInput | null } | null;
}
