import type { MandateDataInput } from '../mandates/plan.ts';
import type { MetadataUpdate } from '../platform/metadata.ts';
import type { PaymentMethodDataInput } from '../payment-methods/service.ts';
import type { ChargeRow, LastPaymentError, PaymentIntentRow } from './repository.ts';
import type { ShippingInput } from '../customers/address.ts';
import type { PaymentMethodOptionsInput } from './payment-method-options.ts';
import type { ConnectInput } from './connect-input.ts';

export interface PaymentIntentInput extends ConnectInput {
  amount?: number;
  currency?: string;
  customer?: string | null;
  payment_method?: string | null;
  /** Stripe's `payment_method_data` (create only here): a new PaymentMethod for the intent; Payrail takes `paypal`. */
  payment_method_data?: PaymentMethodDataInput;
  payment_method_types?: string[];
  capture_method?: 'automatic' | 'automatic_async' | 'manual';
  confirmation_method?: 'automatic' | 'manual';
  description?: string | null;
  receipt_email?: string | null;
  statement_descriptor?: string | null;
  statement_descriptor_suffix?: string | null;
  setup_future_usage?: 'on_session' | 'off_session' | null;
  metadata?: MetadataUpdate;
  /** Create only, as at Stripe. */
  automatic_payment_methods?: { enabled: boolean; allow_redirects?: 'always' | 'never' };
  /** With automatic payment methods: the Payment Method Configuration that picks the types (the default otherwise). */
  payment_method_configuration?: string;
  shipping?: ShippingInput | null;
  payment_method_options?: PaymentMethodOptionsInput | null;
  /** The caller's platform when it acts as one of its connected accounts (Stripe-Account): a direct charge. */
  platformAccountId?: string;
}

export interface ConfirmInput {
  payment_method?: string;
  /** A new PaymentMethod to confirm with, instead of `payment_method` (Payrail takes `paypal`). */
  payment_method_data?: PaymentMethodDataInput;
  return_url?: string;
  capture_method?: 'automatic' | 'automatic_async' | 'manual';
  setup_future_usage?: 'on_session' | 'off_session' | null;
  receipt_email?: string | null;
  off_session?: boolean;
  error_on_requires_action?: boolean;
  shipping?: ShippingInput | null;
  payment_method_options?: PaymentMethodOptionsInput | null;
  /** The customer's acceptance of a mandate (required for sepa_debit unless off-session under an existing one). */
  mandate_data?: MandateDataInput;
  /** The mandate to debit under (Stripe's `mandate`): an active mandate of the PaymentMethod. */
  mandate?: string;
  /** Fields of the new charge that the intent does not carry (a legacy charge's, from POST /v1/charges). */
  charge?: ChargeFields;
  /** The caller's platform when it acts as one of its connected accounts (Stripe-Account): a direct charge. */
  platformAccountId?: string;
}

/** What a legacy charge (POST /v1/charges) keeps on its charge: its own metadata, the card source, shipping. */
export type ChargeFields = Partial<Pick<ChargeRow, 'metadata' | 'source' | 'shipping' | 'transfer_group'>>;

/** The result of an operation that may end in a card decline: the intent, and the error to answer with. */
export interface IntentResult {
  intent: PaymentIntentRow;
  /** Set when this call applied a provider's answer (rather than finding it applied already). */
  applied?: boolean;
  decline?: LastPaymentError & { payment_method?: unknown };
}
