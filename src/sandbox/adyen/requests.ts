import { AdyenError } from './errors.ts';
import type { Amount } from './store.ts';
import { passesLuhn } from './test-cards.ts';

// Reading and checking Checkout API v71 request bodies, each refusal the ServiceError Adyen answers. Split from
// processor.ts, which decides what an accepted request does (payments, details, modifications, their webhooks).

/** Adyen's documented maximum length of `reference` (merchant reference). */
export const referenceLengthMax = 80;
/** `returnUrl` maximum length (Adyen documents 8000 characters). */
export const returnUrlLengthMax = 8000;
const holderNameLengthMax = 200;
/** The prefix Adyen's test platform accepts in `encrypted*` fields for unencrypted test values. */
const unencryptedTestPrefix = 'test_';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isObject(value)) throw new AdyenError(422, '702', `Required field '${field}' is not provided or is not an object.`);
  return value;
}

export function readMerchantAccount(body: Record<string, unknown>, merchantAccounts: readonly string[]): string {
  const merchantAccount = body.merchantAccount;
  if (typeof merchantAccount !== 'string' || merchantAccount.length === 0) {
    throw new AdyenError(422, '702', "Required field 'merchantAccount' is not provided.");
  }
  if (merchantAccounts.length > 0 && !merchantAccounts.includes(merchantAccount)) {
    throw new AdyenError(403, '901', 'Invalid Merchant Account', 'security');
  }
  return merchantAccount;
}

export function readAmount(value: unknown): Amount {
  if (!isObject(value)) throw new AdyenError(422, '100', 'No amount specified');
  const { value: minor, currency } = value;
  if (typeof minor !== 'number' || !Number.isSafeInteger(minor) || minor < 0) throw new AdyenError(422, '137', 'Invalid amount specified');
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw new AdyenError(422, '138', 'Unsupported currency specified');
  return { value: minor, currency };
}

export function readOptionalString(body: Record<string, unknown>, field: string, lengthMax: number): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > lengthMax) throw new AdyenError(422, '702', `Field '${field}' must be a string of at most ${lengthMax} characters.`);
  return value;
}

/** Reads a plain card field, or its `encrypted*` twin carrying Adyen's `test_` prefix. */
function readCardField(method: Record<string, unknown>, plain: string, encrypted: string): string | undefined {
  const encryptedValue = method[encrypted];
  if (encryptedValue !== undefined) {
    if (typeof encryptedValue !== 'string' || !encryptedValue.startsWith(unencryptedTestPrefix)) {
      // Real client-side encryption needs Adyen's key pair; the sandbox only knows the documented test values.
      throw new AdyenError(422, '174', 'Unable to decrypt data');
    }
    return encryptedValue.slice(unencryptedTestPrefix.length);
  }
  const value = method[plain];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AdyenError(422, '702', `Field 'paymentMethod.${plain}' must be a string.`);
  return value;
}

export interface Card {
  number: string;
  expiryMonth: string;
  expiryYear: string;
  cvc?: string;
  holderName?: string;
}

export function readCard(value: unknown): Card {
  const method = requireObject(value, 'paymentMethod');
  if (method.type !== undefined && method.type !== 'scheme') {
    throw new AdyenError(422, '905', `Payment details are not supported: the sandbox accepts paymentMethod.type 'scheme' only.`, 'configuration');
  }
  const number = readCardField(method, 'number', 'encryptedCardNumber')?.replace(/\s+/g, '');
  if (number === undefined || !passesLuhn(number)) throw new AdyenError(422, '101', 'Invalid card number');
  const expiryMonth = readCardField(method, 'expiryMonth', 'encryptedExpiryMonth');
  const expiryYear = readCardField(method, 'expiryYear', 'encryptedExpiryYear');
  if (expiryMonth === undefined || expiryYear === undefined || !/^(0?[1-9]|1[0-2])$/.test(expiryMonth) || !/^\d{4}$/.test(expiryYear)) {
    throw new AdyenError(422, '129', 'Expiry Date Invalid');
  }
  const cvc = readCardField(method, 'cvc', 'encryptedSecurityCode');
  const holderName = method.holderName;
  if (holderName !== undefined && (typeof holderName !== 'string' || holderName.length > holderNameLengthMax)) {
    throw new AdyenError(422, '702', `Field 'paymentMethod.holderName' must be a string of at most ${holderNameLengthMax} characters.`);
  }
  return { number, expiryMonth: expiryMonth.padStart(2, '0'), expiryYear, ...(cvc !== undefined ? { cvc } : {}), ...(holderName !== undefined ? { holderName } : {}) };
}

export function isExpired(card: Card, now: Date): boolean {
  const year = Number(card.expiryYear);
  const month = Number(card.expiryMonth);
  return year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1);
}

export function stringAdditionalData(body: Record<string, unknown>): Record<string, unknown> {
  return isObject(body.additionalData) ? body.additionalData : {};
}

/** Adyen's recurring processing models (PaymentRequest.recurringProcessingModel in CheckoutService-v71). */
export const recurringProcessingModels = ['CardOnFile', 'Subscription', 'UnscheduledCardOnFile'] as const;
/** `shopperReference` bounds (CheckoutService-v71: minLength 3, maxLength 256). */
const shopperReferenceLengthMin = 3;
const shopperReferenceLengthMax = 256;

/**
 * The tokenization a payment asks for: `storePaymentMethod` true with a `shopperReference` (Adyen stores the card only
 * for a known shopper) and a `recurringProcessingModel` (required when creating a token). Undefined when the payment
 * stores nothing.
 */
export function readTokenization(body: Record<string, unknown>): { shopperReference: string; recurringProcessingModel: string } | undefined {
  const store = body.storePaymentMethod;
  if (store !== undefined && typeof store !== 'boolean') throw new AdyenError(422, '702', "Field 'storePaymentMethod' must be a boolean.");
  const shopperReference = body.shopperReference;
  if (shopperReference !== undefined && (typeof shopperReference !== 'string' || shopperReference.length < shopperReferenceLengthMin || shopperReference.length > shopperReferenceLengthMax)) {
    throw new AdyenError(422, '702', `Field 'shopperReference' must be a string of ${shopperReferenceLengthMin} to ${shopperReferenceLengthMax} characters.`);
  }
  const model = body.recurringProcessingModel;
  if (model !== undefined && (typeof model !== 'string' || !(recurringProcessingModels as readonly string[]).includes(model))) {
    throw new AdyenError(422, '702', `Field 'recurringProcessingModel' must be one of ${recurringProcessingModels.join(', ')}.`);
  }
  if (store !== true) return undefined;
  if (shopperReference === undefined) throw new AdyenError(422, '702', "Required field 'shopperReference' is not provided: a payment method is stored for a shopper.");
  if (model === undefined) throw new AdyenError(422, '702', "Required field 'recurringProcessingModel' is not provided: it is required when storing payment details.");
  return { shopperReference: shopperReference as string, recurringProcessingModel: model as string };
}

/** Adyen's `shopperInteraction` values (PaymentRequest in CheckoutService-v71); `Ecommerce` when absent. */
export const shopperInteractions = ['Ecommerce', 'ContAuth', 'Moto', 'POS'] as const;

export function readShopperInteraction(body: Record<string, unknown>): string {
  const value = body.shopperInteraction;
  if (value === undefined) return 'Ecommerce';
  if (typeof value !== 'string' || !(shopperInteractions as readonly string[]).includes(value)) {
    throw new AdyenError(422, '702', `Field 'shopperInteraction' must be one of ${shopperInteractions.join(', ')}.`);
  }
  return value;
}

/** The token of a payment with stored details (`paymentMethod.storedPaymentMethodId`, or the older `recurringDetailReference`). */
export function readStoredPaymentMethodId(value: unknown): string | undefined {
  const method = requireObject(value, 'paymentMethod');
  const id = method.storedPaymentMethodId ?? method.recurringDetailReference;
  if (id === undefined) return undefined;
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw new AdyenError(422, '702', "Field 'paymentMethod.storedPaymentMethodId' must be a string of 1 to 64 characters.");
  return id;
}

/** `paymentMethod.networkPaymentReference`: the scheme's id of the first transaction of a card-on-file chain. */
export function readNetworkPaymentReference(value: unknown): string | undefined {
  const reference = requireObject(value, 'paymentMethod').networkPaymentReference;
  if (reference === undefined) return undefined;
  if (typeof reference !== 'string' || reference.length === 0 || reference.length > 64) throw new AdyenError(422, '702', "Field 'paymentMethod.networkPaymentReference' must be a string of 1 to 64 characters.");
  return reference;
}
