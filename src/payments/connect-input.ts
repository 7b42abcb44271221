import type { Dependencies } from '../dependencies.ts';
import { settlesIn } from '../accounts/settings.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError } from '../platform/errors.ts';
import { formatAmount } from '../platform/money.ts';
import type { Scope } from '../platform/scope.ts';
import { checkDestinationCurrency, transferDestination } from '../transfers/service.ts';
import { requireActiveCapability } from '../connect/capabilities.ts';
import type { ConnectedAccountRow } from '../connect/types.ts';
import type { IntentConnect } from './connect-charge.ts';

// A PaymentIntent's Connect parameters (transfer_data, application_fee_amount, on_behalf_of, transfer_group), checked
// when they are set (create, update). Read only when one of them is given: an ordinary payment costs no query here.

export interface ConnectInput {
  /** On create: destination (and amount); on update only amount, as at Stripe (the destination stays). */
  transfer_data?: { destination?: string; amount?: number } | null;
  application_fee_amount?: number | null;
  on_behalf_of?: string | null;
  transfer_group?: string | null;
}

/**
 * What the Connect parameters are set on, for the wording and code of a refusal: a PaymentIntent, or a legacy charge
 * (POST /v1/charges, whose PaymentIntent Payrail makes for it).
 */
export interface ConnectSubject {
  noun: 'PaymentIntent' | 'charge';
  code: 'payment_intent_invalid_parameter' | 'charge_invalid_parameter';
  /** How a destination charge is asked for, in a refusal's message. */
  destinationParameter: string;
}

export const paymentIntentSubject: ConnectSubject = { noun: 'PaymentIntent', code: 'payment_intent_invalid_parameter', destinationParameter: '`transfer_data[destination]`' };
export const legacyChargeSubject: ConnectSubject = { noun: 'charge', code: 'charge_invalid_parameter', destinationParameter: '`transfer_data[destination]` or `destination`' };

/** Whether the request gives any Connect parameter. */
export function hasConnectInput(input: ConnectInput): boolean {
  return input.transfer_data !== undefined || input.application_fee_amount !== undefined || input.on_behalf_of !== undefined || input.transfer_group !== undefined;
}

/**
 * The intent's Connect parameters after this request: `current` with the given ones applied, checked as Stripe
 * checks them. `platformAccountId` is set when the caller is a connected account acting through its platform (the
 * Stripe-Account header): its intents are direct charges, which may carry an application fee and no transfer_data.
 * A destination is a connected account of the caller's platform whose transfers capability is active (the transfers'
 * own checks), settling in the intent's currency, as the platform must (Payrail does not convert a transfer);
 * on_behalf_of (the destination) also needs card_payments active. `options.param` names a parameter in the caller's
 * request (a Checkout Session's `payment_intent_data[...]`, a Payment Link's own fields) and `options.subject` words a
 * refusal for what the parameters are set on (a PaymentIntent, a legacy charge): the rules are the same.
 */
export async function resolveConnect(
  db: Queryable,
  deps: Pick<Dependencies, 'settings'>,
  scope: Scope,
  platformAccountId: string | undefined,
  input: ConnectInput,
  current: IntentConnect | null,
  amount: number,
  currency: string,
  options: { param?: (name: string) => string; subject?: ConnectSubject } = {},
): Promise<IntentConnect | null> {
  const param = options.param ?? ((name: string) => name);
  const subject = options.subject ?? paymentIntentSubject;
  const currentTransfer = current?.destination ? { destination: current.destination, amount: current.transfer_amount ?? undefined } : null;
  let transferData: { destination: string; amount?: number } | null = currentTransfer;
  if (input.transfer_data) {
    const destination = input.transfer_data.destination ?? currentTransfer?.destination;
    if (destination === undefined) {
      throw new ApiError('payment_intent_invalid_parameter', 'transfer_data[amount] can only be updated on a PaymentIntent created with transfer_data[destination].', { param: param('transfer_data') });
    }
    transferData = { destination, amount: input.transfer_data.amount };
  } else if (input.transfer_data === null) {
    transferData = null;
  }
  const fee = input.application_fee_amount !== undefined ? input.application_fee_amount : current?.application_fee_amount ?? null;
  const onBehalfOf = input.on_behalf_of !== undefined ? input.on_behalf_of : current?.on_behalf_of ?? null;
  const transferGroup = input.transfer_group !== undefined ? (input.transfer_group === '' ? null : input.transfer_group) : current?.transfer_group ?? null;
  if (!transferData && fee === null && onBehalfOf === null && transferGroup === null) return null;
  if (transferData && platformAccountId) {
    throw new ApiError(subject.code, 'transfer_data cannot be used on a direct charge (a request made with the Stripe-Account header): create destination charges as the platform.', { param: param('transfer_data') });
  }
  if (fee !== null) {
    if (!transferData && !platformAccountId) {
      throw new ApiError(subject.code, `Can only apply an application_fee_amount when the ${subject.noun} is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using ${subject.destinationParameter}).`, { param: param('application_fee_amount') });
    }
    if (fee > amount) {
      throw new ApiError(subject.code, `The application_fee_amount (${formatAmount(fee, currency)}) cannot be greater than the amount of the ${subject.noun} (${formatAmount(amount, currency)}).`, { param: param('application_fee_amount') });
    }
    if (transferData?.amount !== undefined) {
      throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: application_fee_amount, transfer_data[amount].', { param: param('application_fee_amount') });
    }
  }
  let destination: ConnectedAccountRow | undefined;
  if (transferData) {
    if (transferData.amount !== undefined && transferData.amount > amount) {
      throw new ApiError(subject.code, `The transfer_data[amount] (${formatAmount(transferData.amount, currency)}) cannot be greater than the amount of the ${subject.noun} (${formatAmount(amount, currency)}).`, { param: param('transfer_data[amount]') });
    }
    destination = await transferDestination(db, scope, transferData.destination, param('transfer_data[destination]'));
    await checkDestinationCurrency(deps, db, destination.id, currency, param('currency'));
    if (!settlesIn(await deps.settings.get(scope.accountId, db), currency)) {
      throw new ApiError('invalid_value', `A destination charge must be in a currency the platform settles in: Payrail does not convert the transfer of a ${currency.toUpperCase()} charge.`, { param: param('currency') });
    }
  }
  if (onBehalfOf !== null && onBehalfOf !== transferData?.destination) {
    throw new ApiError(subject.code, 'on_behalf_of must be the same account as transfer_data[destination]: Payrail takes on_behalf_of only on destination charges settled by their destination.', { param: param('on_behalf_of') });
  }
  // The settlement merchant takes the card payment, so it needs card_payments as a direct charge's account does.
  if (onBehalfOf !== null && destination) requireActiveCapability(destination, 'card_payments', param('on_behalf_of'));
  if (fee !== null && platformAccountId && !settlesIn(await deps.settings.get(platformAccountId, db), currency)) {
    throw new ApiError('invalid_value', `The platform does not settle in ${currency.toUpperCase()}: Payrail does not convert application fees.`, { param: param('currency') });
  }
  if (fee !== null && platformAccountId && !settlesIn(await deps.settings.get(scope.accountId, db), currency)) {
    throw new ApiError('invalid_value', `A charge with an application fee must be in a currency the account settles in: Payrail does not convert application fees.`, { param: param('currency') });
  }
  return {
    kind: transferData ? 'destination' : fee !== null && platformAccountId ? 'direct' : 'none',
    platform: transferData ? scope.accountId : platformAccountId ?? null,
    destination: transferData?.destination ?? null,
    transfer_amount: transferData?.amount ?? null,
    application_fee_amount: fee,
    on_behalf_of: onBehalfOf,
    transfer_group: transferGroup,
  };
}
