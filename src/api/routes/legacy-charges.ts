import { captureCharge } from '../../charges/capture.ts';
import { createLegacyCharge, resumeLegacyCharge, type ChargeResult } from '../../charges/create.ts';
import { updateChargeFields } from '../../charges/update.ts';
import { checkChargeAmount, maximumAmount, parseCurrency } from '../../platform/money.ts';
import { renderCharge } from '../../payments/render.ts';
import { findCharge } from '../../payments/repository.ts';
import { renderRefund } from '../../refunds/render.ts';
import { createRefund, refundReasons } from '../../refunds/service.ts';
import { assert } from '../../platform/errors.ts';
import { defineRoute, presentObject, type Presentation } from '../route.ts';
import { boolean, email, emptyable, enumeration, integer, metadata, object, required, string, type Schema } from '../schema.ts';
import { shippingSchema } from './common.ts';

/** A decline answers 402 with the card error naming the charge, as Stripe does for legacy charges. */
function presentCharge(result: ChargeResult): Presentation {
  if (result.decline) return { status: 402, body: { error: { ...result.decline } } };
  return presentObject(renderCharge(result.charge));
}

const shipping = shippingSchema;

const destinationAccount = object({ account: required(string({ maxLength: 255 })), amount: integer({ minimum: 1, maximum: maximumAmount }) });

/** Stripe's deprecated `destination`: an account id, or `destination[account]` with `destination[amount]`. */
const destination: Schema<{ account: string; amount?: number } | undefined> = {
  parse(value, param) {
    if (typeof value === 'string') return { account: string({ maxLength: 255 }).parse(value, param) ?? '' };
    return destinationAccount.parse(value, param);
  },
  toJsonSchema: () => ({
    anyOf: [destinationAccount.toJsonSchema(), { type: 'string', maxLength: 255 }],
    description: 'Deprecated form of transfer_data (a connected account id, or destination[account] and destination[amount]); it also sets on_behalf_of to the account.',
  }),
};

const refundParameters = {
  amount: integer({ minimum: 1, maximum: maximumAmount }),
  reason: enumeration(refundReasons),
  metadata: metadata(),
};

export const legacyChargeRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/charges', operationId: 'PostCharges',
    summary: 'Create a charge (legacy): charge a token, a customer\'s card or a customer\'s default card; made as a PaymentIntent confirmed at once',
    parameters: object({
      amount: required(integer({ description: `Amount in the smallest currency unit; at least the currency's minimum charge amount and at most ${maximumAmount}.` })),
      currency: required(string({ maxLength: 3, minLength: 3 })),
      source: string({ maxLength: 255, description: 'A token (tok_...) or, with customer, one of the customer\'s cards (card_...). Without it, the customer\'s default_source is charged.' }),
      customer: string({ maxLength: 255 }),
      capture: boolean({ description: 'Default true; false only authorizes (capture with POST /v1/charges/:id/capture).' }),
      description: emptyable(string({ maxLength: 1000 })),
      metadata: metadata(),
      receipt_email: emptyable(email()),
      statement_descriptor: emptyable(string({ maxLength: 22 })),
      statement_descriptor_suffix: emptyable(string({ maxLength: 22 })),
      shipping,
      transfer_group: string({ maxLength: 255 }),
      // Connect, as a PaymentIntent takes them: a destination charge, a direct charge's (Stripe-Account) fee.
      transfer_data: object({ destination: required(string({ maxLength: 255 })), amount: integer({ minimum: 1, maximum: maximumAmount }) }),
      destination,
      application_fee_amount: integer({ minimum: 0, maximum: maximumAmount, description: 'The platform\'s fee, collected from the connected account at capture (a destination charge, or a direct charge made with the Stripe-Account header).' }),
      on_behalf_of: string({ maxLength: 255, description: 'The settlement merchant: only the destination of a destination charge.' }),
    }),
    response: { kind: 'object', type: 'charge' },
    precheck: (params) => checkChargeAmount(params.amount, parseCurrency(params.currency)),
    handle: (context, params) => createLegacyCharge(context.work, context.deps, context.scope, { ...params, platformAccountId: context.caller.platformAccountId }),
    resume: (context, intentId) => resumeLegacyCharge(context.work, context.deps, context.scope, intentId),
    present: presentCharge,
  }),
  defineRoute({
    method: 'POST', path: '/v1/charges/:id', operationId: 'PostChargesCharge', summary: 'Update a charge',
    parameters: object({
      description: emptyable(string({ maxLength: 40000 })),
      metadata: metadata(),
      receipt_email: emptyable(email()),
      shipping: emptyable(shipping),
      fraud_details: emptyable(object({ user_report: required(enumeration(['fraudulent', 'safe'])) })),
      transfer_group: emptyable(string({ maxLength: 255 })),
    }),
    response: { kind: 'object', type: 'charge' },
    handle: (context, params) => updateChargeFields(context.work, context.scope, context.pathParams.id, params),
    present: (row) => presentObject(renderCharge(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/charges/:id/capture', operationId: 'PostChargesChargeCapture', summary: 'Capture an uncaptured charge, in full or in part',
    parameters: object({
      amount: integer({ minimum: 1, maximum: maximumAmount }),
      // Connect: the fee and a destination charge's transfer amount, as at a PaymentIntent's capture.
      application_fee_amount: integer({ minimum: 0, maximum: maximumAmount }),
      transfer_data: object({ amount: integer({ minimum: 1, maximum: maximumAmount }) }),
    }),
    response: { kind: 'object', type: 'charge' },
    handle: (context, params) => captureCharge(context.work, context.deps, context.scope, context.pathParams.id, params),
    present: (row) => presentObject(renderCharge(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/charges/:id/refunds', operationId: 'PostChargesChargeRefunds', summary: 'Refund a charge (legacy form of POST /v1/refunds); returns the refund',
    parameters: object(refundParameters),
    response: { kind: 'object', type: 'refund' },
    handle: (context, params) => createRefund(context.work, context.deps, context.scope, { ...params, charge: context.pathParams.id }),
    present: (row) => presentObject(renderRefund(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/charges/:id/refund', operationId: 'PostChargesChargeRefund', summary: 'Refund a charge (legacy); returns the charge',
    parameters: object(refundParameters),
    response: { kind: 'object', type: 'charge' },
    handle: async (context, params) => {
      const loadCharge = async (db: Parameters<typeof findCharge>[0]) => {
        const charge = await findCharge(db, context.scope, context.pathParams.id);
        assert(charge, `refunded charge ${context.pathParams.id} exists`);
        return charge;
      };
      await createRefund(context.work.mapFinal((client) => loadCharge(client)), context.deps, context.scope, { ...params, charge: context.pathParams.id });
      return loadCharge(context.deps.db);
    },
    present: (row) => presentObject(renderCharge(row)),
  }),
];
