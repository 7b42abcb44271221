import type pg from 'pg';
import { changedAttributes, recordEvent } from '../events/service.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { findPrice } from '../prices/repository.ts';
import { checkLinkTotal } from './create.ts';
import { afterCompletionOf, paymentIntentDataOf, quantityFields, type AdjustableQuantityInput, type AfterCompletionInput, type PaymentIntentDataInput } from './fields.ts';
import { renderPaymentLink } from './render.ts';
import { findPaymentLink, paymentLinkLineItemsOf, updatePaymentLink, updatePaymentLinkLineItem, type PaymentLinkFields, type PaymentLinkLineItemRow, type PaymentLinkRow } from './repository.ts';

/** What Stripe lets an update change; `null` (sent as '') unsets an optional setting. */
export interface PaymentLinkUpdateInput {
  active?: boolean;
  after_completion?: AfterCompletionInput;
  billing_address_collection?: 'auto' | 'required';
  customer_creation?: 'always' | 'if_required';
  inactive_message?: string | null;
  line_items?: { id: string; quantity?: number; adjustable_quantity?: AdjustableQuantityInput }[];
  metadata?: MetadataUpdate;
  payment_intent_data?: PaymentIntentDataInput;
  payment_method_types?: string[] | null;
  restrictions?: { completed_sessions: { limit: number } } | null;
  shipping_address_collection?: { allowed_countries: string[] } | null;
}

/**
 * Updates a link under its lock (a completion that counts against its limit waits, and so does a visit making a
 * session). Line items are named by id: their quantity and adjustable bounds change, and items not named stay; what
 * they sell (the price) does not change, as at Stripe. A link at or past its completion limit cannot be activated
 * until the limit is raised or removed. `payment_link.updated` carries what changed; an update that changes nothing
 * records no event.
 */
export async function modifyPaymentLink(work: UnitOfWork, scope: Scope, id: string, input: PaymentLinkUpdateInput, publicUrl: string): Promise<PaymentLinkRow> {
  const afterCompletion = input.after_completion === undefined ? undefined : afterCompletionOf(input.after_completion);
  return work.finalTransaction(async (client) => {
    const current = await findPaymentLink(client, scope, id, { lock: 'update' });
    if (!current) throw missing('payment_link', id);
    const fields: PaymentLinkFields = {
      active: input.active ?? current.active,
      after_completion: afterCompletion ?? current.after_completion,
      completed_sessions_limit: input.restrictions === undefined ? current.completed_sessions_limit : (input.restrictions?.completed_sessions.limit ?? null),
      billing_address_collection: input.billing_address_collection ?? current.billing_address_collection,
      phone_number_collection: current.phone_number_collection,
      shipping_allowed_countries: input.shipping_address_collection === undefined ? current.shipping_allowed_countries
        : input.shipping_address_collection === null ? null : [...new Set(input.shipping_address_collection.allowed_countries.map((country) => country.toUpperCase()))],
      customer_creation: input.customer_creation ?? current.customer_creation,
      payment_intent_data: paymentIntentDataOf(current.payment_intent_data, input.payment_intent_data),
      payment_method_types: input.payment_method_types === undefined ? current.payment_method_types : input.payment_method_types === null ? null : [...new Set(input.payment_method_types)],
      submit_type: current.submit_type,
      inactive_message: input.inactive_message === undefined ? current.inactive_message : input.inactive_message,
      metadata: mergeMetadata(current.metadata, input.metadata),
    };
    if (fields.active && fields.completed_sessions_limit !== null && current.completed_sessions_count >= fields.completed_sessions_limit) {
      throw new ApiError('invalid_value', `This Payment Link has ${current.completed_sessions_count} completed sessions, its limit is ${fields.completed_sessions_limit}: raise or remove restrictions[completed_sessions][limit] to activate it.`, {
        param: input.restrictions !== undefined ? 'restrictions[completed_sessions][limit]' : 'active',
      });
    }
    const changedItems = await changeLineItems(client, scope, current, input.line_items ?? []);
    const before = renderPaymentLink(current, publicUrl);
    const previous = changedAttributes(before, renderPaymentLink({ ...current, ...fields }, publicUrl));
    if (Object.keys(previous).length === 0 && !changedItems) return current;
    const row = await updatePaymentLink(client, id, fields);
    const after = renderPaymentLink(row, publicUrl);
    await recordEvent(client, scope, work, 'payment_link.updated', after, changedAttributes(before, after));
    return row;
  });
}

/** Applies the line items' new quantities and bounds; answers whether any changed. */
async function changeLineItems(client: pg.PoolClient, scope: Scope, link: PaymentLinkRow, changes: NonNullable<PaymentLinkUpdateInput['line_items']>): Promise<boolean> {
  if (changes.length === 0) return false;
  const items = await paymentLinkLineItemsOf(client, link.id);
  const next: PaymentLinkLineItemRow[] = items.map((item) => ({ ...item }));
  const seen = new Set<string>();
  for (const [index, change] of changes.entries()) {
    const param = (name: string) => `line_items[${index}][${name}]`;
    const at = next.findIndex((item) => item.id === change.id);
    if (at < 0) throw new ApiError('invalid_value', `The Payment Link has no line item ${change.id}.`, { param: param('id') });
    if (seen.has(change.id)) throw new ApiError('invalid_value', `The line item ${change.id} is given twice.`, { param: param('id') });
    seen.add(change.id);
    const item = next[at];
    const adjustable: AdjustableQuantityInput | undefined = change.adjustable_quantity
      ?? (item.adjustable_enabled ? { enabled: true, minimum: item.adjustable_minimum ?? undefined, maximum: item.adjustable_maximum ?? undefined } : undefined);
    next[at] = { ...item, ...quantityFields(change.quantity ?? item.quantity, adjustable, param) };
  }
  const changed = next.filter((item, index) => JSON.stringify(item) !== JSON.stringify(items[index]));
  if (changed.length === 0) return false;
  const priced = [];
  for (const item of next) {
    // A price's amounts never change. One archived since the link was made stays on it (a visit then cannot sell it).
    const price = await findPrice(client, scope, item.price_id);
    if (!price) throw new Error(`invariant violated: line item ${item.id} has no price ${item.price_id}`);
    priced.push({ price, quantity: item.quantity });
  }
  checkLinkTotal(priced, link.currency);
  for (const item of changed) await updatePaymentLinkLineItem(client, item);
  return true;
}
