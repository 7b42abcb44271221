import type pg from 'pg';
import type { Dependencies } from '../dependencies.ts';
import { findCustomer } from '../customers/repository.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { newId, nowSeconds, randomBase62 } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import { checkChargeAmount, parseCurrency } from '../platform/money.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { checkLineItems, priceLineItems, type LineItemInput } from './line-items.ts';
import { checkSessionConnect } from './session-connect.ts';
import { checkoutPaymentMethodTypes, checkSessionPaymentMethodTypes, offeredPaymentMethodTypes, type SessionMethodsDependencies } from './session-methods.ts';
import { insertCheckoutSession, insertLineItems, type CheckoutSessionRow, type PaymentIntentData, type SetupIntentData } from './repository.ts';

/** Stripe's window for `expires_at`: 30 minutes to 24 hours after creation (the default: 24 hours). */
export const sessionLifetimeMinSeconds = 30 * 60;
export const sessionLifetimeMaxSeconds = 24 * 60 * 60;
export { checkoutPaymentMethodTypes } from './session-methods.ts';

export interface CheckoutSessionCreateInput {
  mode: 'payment' | 'setup';
  line_items?: LineItemInput[];
  currency?: string;
  success_url?: string;
  cancel_url?: string;
  client_reference_id?: string;
  customer?: string;
  customer_email?: string;
  customer_creation?: 'always' | 'if_required';
  payment_intent_data?: Omit<PaymentIntentData, 'metadata' | 'platform_account_id'> & { metadata?: MetadataUpdate };
  setup_intent_data?: { description?: string; metadata?: MetadataUpdate };
  payment_method_types?: (typeof checkoutPaymentMethodTypes)[number][];
  expires_at?: number;
  locale?: string;
  billing_address_collection?: 'auto' | 'required';
  shipping_address_collection?: { allowed_countries: string[] };
  phone_number_collection?: { enabled: boolean };
  submit_type?: 'auto' | 'pay' | 'book' | 'donate';
  metadata?: MetadataUpdate;
  ui_mode?: 'hosted' | 'embedded';
  return_url?: string;
  redirect_on_completion?: 'always' | 'if_required' | 'never';
}

/**
 * A session made from a Payment Link (a visit to its URL): `verify` runs first in the session's transaction (it locks
 * the link and checks that it still sells), and the session records the link.
 */
export interface SessionOrigin {
  paymentLinkId: string;
  verify(client: pg.PoolClient): Promise<void>;
}

/** The payment method types a setup-mode session may save (a SetupIntent verifies cards; PayPal's vault is not built). */
export const checkoutSetupPaymentMethodTypes = ['card'] as const;

/**
 * Setup mode, as Stripe's: the page saves a payment method and sells nothing, so the parameters about what is sold
 * and how it is paid are refused, and without payment_method_types the currency is required (it decides which
 * methods can be offered).
 */
function checkSetupInput(input: CheckoutSessionCreateInput): void {
  if (input.line_items !== undefined) throw new ApiError('invalid_value', 'You cannot pass `line_items` in `setup` mode.', { param: 'line_items' });
  for (const param of ['payment_intent_data', 'submit_type'] as const) {
    if (input[param] !== undefined) throw new ApiError('invalid_value', `\`${param}\` can only be used in \`payment\` mode.`, { param });
  }
  if (input.payment_method_types === undefined && input.currency === undefined) {
    throw new ApiError('parameter_missing', '`currency` is required in `setup` mode when `payment_method_types` is not set.', { param: 'currency' });
  }
  const unsupported = input.payment_method_types?.find((type) => !(checkoutSetupPaymentMethodTypes as readonly string[]).includes(type));
  if (unsupported !== undefined) {
    throw new ApiError('invalid_value', `The payment method type \`${unsupported}\` cannot be set up in a Checkout Session yet; setup mode supports: ${checkoutSetupPaymentMethodTypes.join(', ')}.`, { param: 'payment_method_types' });
  }
}

/** The checks that need no database: the session's shape, its window, who the customer is. */
function checkInput(input: CheckoutSessionCreateInput, now: number): void {
  if (input.mode === 'setup') checkSetupInput(input);
  else if (input.setup_intent_data !== undefined) throw new ApiError('invalid_value', '`setup_intent_data` can only be used in `setup` mode.', { param: 'setup_intent_data' });
  else checkLineItems(input.line_items ?? []);
  if (input.expires_at !== undefined && (input.expires_at < now + sessionLifetimeMinSeconds || input.expires_at > now + sessionLifetimeMaxSeconds)) {
    throw new ApiError('invalid_value', 'expires_at must be between 30 minutes and 24 hours from now.', { param: 'expires_at' });
  }
  if (input.customer !== undefined && input.customer_email !== undefined) {
    throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: customer, customer_email.', { param: 'customer_email' });
  }
  if (input.ui_mode === 'embedded') {
    // As at Stripe: an embedded session ends where its return_url says, not at success or cancel URLs.
    for (const param of ['success_url', 'cancel_url'] as const) {
      if (input[param] !== undefined) throw new ApiError('invalid_value', `${param} is not allowed when ui_mode is embedded; use return_url.`, { param });
    }
    if (input.return_url === undefined && input.redirect_on_completion !== 'never') {
      throw new ApiError('parameter_missing', 'return_url is required when ui_mode is embedded (unless redirect_on_completion is never).', { param: 'return_url' });
    }
  } else {
    for (const param of ['return_url', 'redirect_on_completion'] as const) {
      if (input[param] !== undefined) throw new ApiError('invalid_value', `${param} can only be used when ui_mode is embedded.`, { param });
    }
  }
  if (input.customer !== undefined && input.customer_creation !== undefined) {
    throw new ApiError('parameters_exclusive', 'customer_creation can only be used when no customer is given.', { param: 'customer_creation' });
  }
}

/**
 * Creates a session (hosted page or embedded). Mode payment: its line items priced in one currency, inline prices and
 * products made from price_data, all in one transaction. Mode setup: nothing sold, the card to be saved through a
 * SetupIntent. No PaymentIntent or SetupIntent yet: the page makes it when the shopper first submits (as Stripe has
 * done since 2022-08-01), so an abandoned session leaves nothing to cancel. Its Connect parameters
 * (payment_intent_data[application_fee_amount|transfer_data|on_behalf_of|transfer_group]) are checked now, for the
 * session's amount, by the PaymentIntents' rules (session-connect.ts).
 */
export async function createCheckoutSession(work: UnitOfWork, deps: Pick<Dependencies, 'settings'> & SessionMethodsDependencies, scope: Scope, input: CheckoutSessionCreateInput, origin?: SessionOrigin): Promise<CheckoutSessionRow> {
  const now = nowSeconds();
  checkInput(input, now);
  const requestedCurrency = input.currency === undefined ? undefined : parseCurrency(input.currency);
  const paymentIntentData: PaymentIntentData = {};
  const { metadata: intentMetadata, application_fee_amount, transfer_data, on_behalf_of, transfer_group, ...intentFields } = input.payment_intent_data ?? {};
  const connectData = { application_fee_amount, transfer_data, on_behalf_of, transfer_group };
  Object.assign(paymentIntentData, intentFields);
  if (intentMetadata) paymentIntentData.metadata = mergeMetadata({}, intentMetadata, 'payment_intent_data[metadata]');
  const setupIntentData = input.mode === 'setup' ? setupIntentDataOf(input.setup_intent_data) : null;
  const metadata = mergeMetadata({}, input.metadata);
  const id = newId('cs');
  return work.finalTransaction(async (client) => {
    await origin?.verify(client);
    if (input.customer !== undefined) {
      const customer = await findCustomer(client, scope, input.customer);
      if (!customer) throw missing('customer', input.customer, 'customer');
    }
    let currency: string | null = requestedCurrency ?? null;
    let subtotal: number | null = null;
    let items: Awaited<ReturnType<typeof priceLineItems>>['items'] = [];
    if (input.mode === 'payment') {
      ({ currency, items, subtotal } = await priceLineItems(client, scope, work, id, input.line_items ?? [], requestedCurrency, now));
      checkChargeAmount(subtotal, currency, 'line_items');
      Object.assign(paymentIntentData, await checkSessionConnect(client, deps, scope, connectData, subtotal, currency));
    }
    if (input.mode === 'payment' && input.payment_method_types) await checkSessionPaymentMethodTypes(deps, scope, input.payment_method_types, currency!, subtotal!);
    const paymentMethodTypes = input.payment_method_types
      ? [...new Set(input.payment_method_types)]
      : input.mode === 'setup' ? [...checkoutSetupPaymentMethodTypes] : await offeredPaymentMethodTypes(deps, scope, currency!);
    const session = await insertCheckoutSession(client, scope, {
      id,
      mode: input.mode,
      ui_mode: input.ui_mode ?? 'hosted',
      client_secret: input.ui_mode === 'embedded' ? `${id}_secret_${randomBase62(24)}` : null,
      return_url: input.ui_mode === 'embedded' ? (input.return_url ?? null) : null,
      redirect_on_completion: input.ui_mode === 'embedded' ? (input.redirect_on_completion ?? 'always') : null,
      currency,
      amount_subtotal: subtotal,
      amount_total: subtotal,
      success_url: input.success_url ?? null,
      cancel_url: input.cancel_url ?? null,
      client_reference_id: input.client_reference_id ?? null,
      customer_id: input.customer ?? null,
      customer_email: input.customer_email ?? null,
      customer_creation: input.customer === undefined ? (input.customer_creation ?? 'if_required') : null,
      payment_intent_data: paymentIntentData,
      setup_intent_data: setupIntentData,
      payment_method_types: paymentMethodTypes,
      locale: input.locale ?? null,
      billing_address_collection: input.billing_address_collection ?? 'auto',
      shipping_allowed_countries: input.shipping_address_collection ? [...new Set(input.shipping_address_collection.allowed_countries.map((country) => country.toUpperCase()))] : null,
      phone_number_collection: input.phone_number_collection?.enabled ?? false,
      submit_type: input.submit_type ?? 'auto',
      metadata,
      expires_at: input.expires_at ?? now + sessionLifetimeMaxSeconds,
      created: now,
      payment_link_id: origin?.paymentLinkId ?? null,
    });
    await insertLineItems(client, items.map((item) => item.row));
    return session;
  });
}

function setupIntentDataOf(input: CheckoutSessionCreateInput['setup_intent_data']): SetupIntentData {
  const data: SetupIntentData = {};
  if (input?.description !== undefined) data.description = input.description;
  if (input?.metadata !== undefined) data.metadata = mergeMetadata({}, input.metadata, 'setup_intent_data[metadata]');
  return data;
}
