import { ApiError } from '../platform/errors.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { AfterCompletion, LinkPaymentIntentData, PaymentLinkLineItemRow } from './repository.ts';

/** Stripe's limits: a link sells 1 to 20 line items, each of 1 to 999,999 units; adjustable quantities up to 999,999. */
export const paymentLinkLineItemsMax = 20;
export const paymentLinkQuantityMax = 999_999;
/** Stripe's defaults for an adjustable quantity without bounds. */
export const adjustableMinimumDefault = 0;
export const adjustableMaximumDefault = 99;
/** The most completed sessions a limit may name. */
export const completedSessionsLimitMax = 1_000_000_000;

export interface AdjustableQuantityInput {
  enabled: boolean;
  minimum?: number;
  maximum?: number;
}

export interface AfterCompletionInput {
  type: 'redirect' | 'hosted_confirmation';
  redirect?: { url: string };
  hosted_confirmation?: { custom_message?: string };
}

export interface PaymentIntentDataInput {
  capture_method?: 'automatic' | 'automatic_async' | 'manual';
  description?: string | null;
  metadata?: MetadataUpdate;
  setup_future_usage?: 'on_session' | 'off_session';
  statement_descriptor?: string | null;
  statement_descriptor_suffix?: string | null;
  transfer_group?: string | null;
}

/** `after_completion` as stored: the type's own hash, required for a redirect, and the other type's refused. */
export function afterCompletionOf(input: AfterCompletionInput): AfterCompletion {
  if (input.type === 'redirect') {
    if (input.hosted_confirmation !== undefined) {
      throw new ApiError('invalid_value', 'after_completion[hosted_confirmation] cannot be given with after_completion[type]=redirect.', { param: 'after_completion[hosted_confirmation]' });
    }
    if (input.redirect === undefined) throw new ApiError('parameter_missing', 'Missing required param: after_completion[redirect] (with type redirect).', { param: 'after_completion[redirect]' });
    return { type: 'redirect', redirect: { url: input.redirect.url } };
  }
  if (input.redirect !== undefined) {
    throw new ApiError('invalid_value', 'after_completion[redirect] cannot be given with after_completion[type]=hosted_confirmation.', { param: 'after_completion[redirect]' });
  }
  return { type: 'hosted_confirmation', hosted_confirmation: { custom_message: input.hosted_confirmation?.custom_message ?? null } };
}

/**
 * An item's quantity and adjustable bounds, checked together: the bounds within 0 to 999,999 (Stripe's defaults 0 and
 * 99), minimum not above maximum, and the quantity between them. Without `enabled` the bounds are dropped.
 */
export function quantityFields(quantity: number, adjustable: AdjustableQuantityInput | undefined, param: (name: string) => string): Pick<PaymentLinkLineItemRow, 'quantity' | 'adjustable_enabled' | 'adjustable_minimum' | 'adjustable_maximum'> {
  if (!adjustable?.enabled) return { quantity, adjustable_enabled: false, adjustable_minimum: null, adjustable_maximum: null };
  const minimum = adjustable.minimum ?? adjustableMinimumDefault;
  const maximum = adjustable.maximum ?? Math.max(adjustableMaximumDefault, minimum);
  if (minimum > maximum) {
    throw new ApiError('invalid_value', `adjustable_quantity[minimum] (${minimum}) may not be greater than adjustable_quantity[maximum] (${maximum}).`, { param: param('adjustable_quantity][minimum') });
  }
  if (quantity < minimum || quantity > maximum) {
    throw new ApiError('invalid_value', `The quantity (${quantity}) must be between adjustable_quantity[minimum] (${minimum}) and adjustable_quantity[maximum] (${maximum}).`, { param: param('quantity') });
  }
  return { quantity, adjustable_enabled: true, adjustable_minimum: minimum, adjustable_maximum: maximum };
}

/** `payment_intent_data` merged into what the link has (null: nothing given yet); '' (null) unsets a text field. */
export function paymentIntentDataOf(current: LinkPaymentIntentData | null, input: PaymentIntentDataInput | undefined): LinkPaymentIntentData | null {
  if (input === undefined) return current;
  const base: LinkPaymentIntentData = current ?? { capture_method: null, description: null, metadata: {}, setup_future_usage: null, statement_descriptor: null, statement_descriptor_suffix: null, transfer_group: null };
  const pick = <K extends keyof LinkPaymentIntentData>(key: K, value: LinkPaymentIntentData[K] | undefined): LinkPaymentIntentData[K] => (value === undefined ? base[key] : value);
  return {
    capture_method: pick('capture_method', input.capture_method),
    description: pick('description', input.description),
    metadata: mergeMetadata(base.metadata, input.metadata, 'payment_intent_data[metadata]'),
    setup_future_usage: pick('setup_future_usage', input.setup_future_usage),
    statement_descriptor: pick('statement_descriptor', input.statement_descriptor),
    statement_descriptor_suffix: pick('statement_descriptor_suffix', input.statement_descriptor_suffix),
    transfer_group: input.transfer_group === undefined ? (base.transfer_group ?? null) : input.transfer_group === '' ? null : input.transfer_group,
  };
}
