import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, assert } from '../platform/errors.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import { checkChargeAmount, parseCurrency } from '../platform/money.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderCardSource } from '../payment-methods/render.ts';
import { findCharge, type ChargeRow, type LastPaymentError } from '../payments/repository.ts';
import { resumeConfirmation, type ConfirmDependencies } from '../payments/confirm.ts';
import { checkChargeCapabilities } from '../payments/connect-capabilities.ts';
import { hasConnectInput, legacyChargeSubject, resolveConnect, type ConnectInput } from '../payments/connect-input.ts';
import { createPaymentIntent, type PaymentIntentDependencies } from '../payments/intents.ts';
import type { IntentResult } from '../payments/types.ts';
import { chargeSourceCard } from '../sources/service.ts';
import type { PaymentMethodDependencies } from '../payment-methods/service.ts';
import { fullShipping, type ShippingInput } from '../customers/address.ts';

/**
 * What a legacy charge uses: the database (the charge to answer with), and what taking the card from its source,
 * creating and confirming its PaymentIntent and resuming a confirmation need.
 */
export type LegacyChargeDependencies = Pick<Dependencies, 'db'> & PaymentMethodDependencies & PaymentIntentDependencies & ConfirmDependencies;

/** Stripe's POST /v1/charges parameters that Payrail takes. */
export interface LegacyChargeInput {
  amount: number;
  currency: string;
  source?: string;
  customer?: string;
  /** Default true; false authorizes only (capture later with POST /v1/charges/:id/capture). */
  capture?: boolean;
  description?: string | null;
  metadata?: MetadataUpdate;
  receipt_email?: string | null;
  statement_descriptor?: string | null;
  statement_descriptor_suffix?: string | null;
  shipping?: ShippingInput | null;
  transfer_group?: string;
  /** A destination charge: the platform charges, then transfers to the connected account (all of it, or `amount`). */
  transfer_data?: { destination: string; amount?: number };
  /** Stripe's deprecated form of transfer_data (a string, or `destination[account]` and `destination[amount]`); it also sets on_behalf_of. */
  destination?: { account: string; amount?: number };
  /** The platform's fee: on a destination charge, or on a direct charge (Stripe-Account). */
  application_fee_amount?: number;
  on_behalf_of?: string;
  /** The caller's platform when it acts as one of its connected accounts (Stripe-Account): a direct charge. */
  platformAccountId?: string;
}

/** A legacy charge, and the card error to answer with when it was declined. */
export interface ChargeResult {
  charge: ChargeRow;
  decline?: LastPaymentError;
}

/**
 * A legacy charge's Connect parameters as a PaymentIntent takes them. Stripe's deprecated `destination` is
 * transfer_data by another name, and makes its account the settlement merchant (on_behalf_of) as the API reference says.
 */
function connectInputOf(input: LegacyChargeInput): ConnectInput {
  if (input.destination && input.transfer_data) {
    throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: destination, transfer_data.', { param: 'destination' });
  }
  const transferData = input.destination ? { destination: input.destination.account, amount: input.destination.amount } : input.transfer_data;
  return {
    ...(transferData ? { transfer_data: transferData } : {}),
    ...(input.application_fee_amount !== undefined ? { application_fee_amount: input.application_fee_amount } : {}),
    ...(input.on_behalf_of !== undefined || input.destination ? { on_behalf_of: input.on_behalf_of ?? input.destination?.account } : {}),
    ...(input.transfer_group !== undefined ? { transfer_group: input.transfer_group } : {}),
  };
}

/** The charge of an intent's latest attempt, as a legacy charge request answers with it. */
async function chargeResultOf(db: Queryable, scope: Scope, result: IntentResult): Promise<ChargeResult> {
  const charge = await findCharge(db, scope, result.intent.latest_charge_id ?? '');
  assert(charge, `intent ${result.intent.id} of a legacy charge has its charge`);
  if (!result.decline) return { charge };
  // Stripe's decline of a legacy charge names the charge, not a PaymentIntent or PaymentMethod.
  const { payment_method: _paymentMethod, ...decline } = result.decline;
  return { charge, decline };
}

/**
 * Creates a legacy charge (POST /v1/charges): Payrail creates a PaymentIntent for it and confirms it at once, so the
 * charge is that intent's charge, with the same routing, ledger postings and events as any payment (the intent is
 * an ordinary one, retrievable and listed; the charge's `payment_intent` names it). The card comes from `source` and
 * `customer` (src/sources); a token is used up in its own commit before the payment starts, so a declined (or
 * failed) charge uses the token up, as at Stripe. A payment that would need 3-D Secure is declined with
 * `authentication_required`: a legacy charge has no way to ask the customer.
 * Connect parameters (transfer_data or destination, application_fee_amount, on_behalf_of, transfer_group) are the
 * intent's, checked by the same resolveConnect before the token is used up: a refused request writes nothing, and a
 * destination or direct charge made this way captures, transfers and collects its fee as a PaymentIntent's does.
 */
export async function createLegacyCharge(work: UnitOfWork, deps: LegacyChargeDependencies, scope: Scope, input: LegacyChargeInput): Promise<ChargeResult> {
  const currency = parseCurrency(input.currency);
  checkChargeAmount(input.amount, currency);
  // Before the token is used up: a refused direct or destination charge writes nothing.
  const connectInput = connectInputOf(input);
  const connect = hasConnectInput(connectInput)
    ? await resolveConnect(deps.db, deps, scope, input.platformAccountId, connectInput, null, input.amount, currency, { subject: legacyChargeSubject })
    : null;
  await checkChargeCapabilities(deps.db, deps, scope, input.platformAccountId, null);
  const card = await work.transaction((client) => chargeSourceCard(client, deps, scope, input));
  const metadata = mergeMetadata({}, input.metadata);
  const result = await createPaymentIntent(
    work.mapFinal((client, intentResult) => chargeResultOf(client, scope, intentResult as IntentResult)),
    deps,
    scope,
    {
      amount: input.amount,
      currency: input.currency,
      customer: input.customer ?? card.customer_id,
      payment_method: card.id,
      payment_method_types: ['card'],
      capture_method: input.capture === false ? 'manual' : 'automatic',
      description: input.description,
      receipt_email: input.receipt_email,
      statement_descriptor: input.statement_descriptor,
      statement_descriptor_suffix: input.statement_descriptor_suffix,
      metadata,
      platformAccountId: input.platformAccountId,
      checkedConnect: connect,
    },
    {
      error_on_requires_action: true,
      charge: { metadata, source: renderCardSource(card), shipping: input.shipping ? fullShipping(input.shipping) : null },
    },
  );
  return chargeResultOf(deps.db, scope, result);
}

/** Finishes a legacy charge whose process died after its payment started (found through the idempotency key). */
export async function resumeLegacyCharge(work: UnitOfWork, deps: LegacyChargeDependencies, scope: Scope, intentId: string): Promise<ChargeResult> {
  const result = await resumeConfirmation(work.mapFinal((client, intentResult) => chargeResultOf(client, scope, intentResult as IntentResult)), deps, scope, intentId);
  return chargeResultOf(deps.db, scope, result);
}
