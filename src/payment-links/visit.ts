import { createCheckoutSession, type CheckoutSessionCreateInput } from '../checkout/create.ts';
import type { CheckoutSessionRow, PaymentIntentData } from '../checkout/repository.ts';
import type { Dependencies } from '../dependencies.ts';
import { ApiError } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { linkSessionConnect } from './link-connect.ts';
import { paymentLinkPath } from './render.ts';
import { findPaymentLink, paymentLinkLineItemsOf, type PaymentLinkLineItemRow, type PaymentLinkRow } from './repository.ts';

export type VisitDependencies = Pick<Dependencies, 'db' | 'commits' | 'publicUrl' | 'settings' | 'routing' | 'paymentMethodConfigurations'>;

/** The link no longer sells (deactivated, or its completion limit reached): a visit makes nothing. */
export class PaymentLinkUnavailable extends Error {
  constructor(readonly link: PaymentLinkRow) {
    super(`Payment Link ${link.id} is not active`);
  }
}

export const scopeOfLink = (link: PaymentLinkRow): Scope => ({ accountId: link.account_id, livemode: link.livemode });

/** Where a hosted confirmation is shown after a purchase through the link (Payrail's page, with the link's custom_message). */
export function confirmationPath(linkId: string): string {
  return `${paymentLinkPath(linkId)}/complete`;
}

/**
 * The quantity of each item for a new session: the link's, or the shopper's choice for an adjustable item (within its
 * bounds; 0 leaves the item out). An out-of-range or non-integer choice is refused with the item's position named.
 */
export function chosenQuantities(items: readonly PaymentLinkLineItemRow[], choices: Record<string, string | undefined>): { price: string; quantity: number }[] {
  const chosen: { price: string; quantity: number }[] = [];
  for (const item of items) {
    let quantity = item.quantity;
    const choice = choices[item.id];
    if (item.adjustable_enabled && choice !== undefined) {
      const minimum = item.adjustable_minimum ?? 0;
      const maximum = item.adjustable_maximum ?? item.quantity;
      if (!/^\d{1,7}$/.test(choice.trim()) || Number(choice) < minimum || Number(choice) > maximum) {
        throw new ApiError('invalid_value', `Choose a quantity from ${minimum} to ${maximum}.`, { param: item.id });
      }
      quantity = Number(choice);
    }
    if (quantity > 0) chosen.push({ price: item.price_id, quantity });
  }
  if (chosen.length === 0) throw new ApiError('invalid_value', 'Choose at least one item.', { param: 'line_items' });
  return chosen;
}

/**
 * A visit to the link's URL: a new Checkout Session (mode payment, hosted) with the link's line items and settings,
 * `payment_link` set. Its success_url is the link's redirect, or Payrail's confirmation page for the link. The link is
 * share-locked and checked active in the session's transaction, so a visit racing the completion that reaches the
 * link's limit either sees the link deactivated or makes a session that completion expires.
 */
export async function startLinkSession(deps: VisitDependencies, link: PaymentLinkRow, choices: Record<string, string | undefined> = {}): Promise<CheckoutSessionRow> {
  if (!link.active) throw new PaymentLinkUnavailable(link);
  const scope = scopeOfLink(link);
  const lineItems = chosenQuantities(await paymentLinkLineItemsOf(deps.db, link.id), choices);
  const intentData = link.payment_intent_data;
  const paymentIntentData: Omit<PaymentIntentData, 'metadata'> & { metadata?: Record<string, string> } = {};
  if (intentData !== null) {
    if (intentData.capture_method !== null) paymentIntentData.capture_method = intentData.capture_method;
    if (intentData.description !== null) paymentIntentData.description = intentData.description;
    if (Object.keys(intentData.metadata).length > 0) paymentIntentData.metadata = intentData.metadata;
    if (intentData.setup_future_usage !== null) paymentIntentData.setup_future_usage = intentData.setup_future_usage;
    if (intentData.statement_descriptor !== null) paymentIntentData.statement_descriptor = intentData.statement_descriptor;
    if (intentData.statement_descriptor_suffix !== null) paymentIntentData.statement_descriptor_suffix = intentData.statement_descriptor_suffix;
  }
  // Its Connect parameters, checked again by the session for the quantities chosen; a direct charge's link makes its
  // sessions as its connected account acting through the platform, as the link was made.
  const connect = linkSessionConnect(link);
  Object.assign(paymentIntentData, connect.data);
  const after = link.after_completion;
  const input: CheckoutSessionCreateInput = {
    mode: 'payment',
    line_items: lineItems,
    currency: link.currency,
    success_url: after.type === 'redirect' ? after.redirect.url : `${deps.publicUrl}${confirmationPath(link.id)}?session_id={CHECKOUT_SESSION_ID}`,
    customer_creation: link.customer_creation,
    payment_intent_data: paymentIntentData,
    payment_method_types: (link.payment_method_types ?? undefined) as CheckoutSessionCreateInput['payment_method_types'],
    billing_address_collection: link.billing_address_collection,
    shipping_address_collection: link.shipping_allowed_countries === null ? undefined : { allowed_countries: link.shipping_allowed_countries },
    phone_number_collection: { enabled: link.phone_number_collection },
    submit_type: link.submit_type,
    // As at Stripe, the link's metadata is copied to its sessions.
    metadata: link.metadata,
  };
  const sessionScope: Scope = connect.platformAccountId ? { ...scope, platformAccountId: connect.platformAccountId } : scope;
  return createCheckoutSession(UnitOfWork.alone(deps.db, deps.commits), deps, sessionScope, input, {
    paymentLinkId: link.id,
    verify: async (client) => {
      const locked = await findPaymentLink(client, scope, link.id, { lock: 'share' });
      if (!locked?.active) throw new PaymentLinkUnavailable(locked ?? link);
    },
  });
}
