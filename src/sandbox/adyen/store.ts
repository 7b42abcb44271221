import { randomBytes } from 'node:crypto';
import type { CardBrand } from './test-cards.ts';

/**
 * The sandbox's in-memory records. The sandbox stands in for Adyen, so it keeps no database: everything lives for as
 * long as the process, and tests read it through `GET /sandbox/admin/records` (or `records()` in-process) to check
 * what the provider really did, e.g. that no payment was captured twice.
 */

export interface Amount {
  value: number;
  currency: string;
}

export type PaymentStatus =
  /** Waiting for the shopper to complete the 3-D Secure challenge. */
  | 'pending_authentication'
  | 'authorised'
  | 'refused'
  | 'error'
  | 'cancelled';

export interface PaymentRecord {
  pspReference: string;
  merchantAccount: string;
  merchantReference: string;
  amount: Amount;
  status: PaymentStatus;
  resultCode: string;
  refusalReason?: string;
  refusalReasonCode?: string;
  /** The card's brand, or the local method (`ideal`, `sepadirectdebit`: no expiry, and for iDEAL no last four). */
  brand: CardBrand | 'ideal' | 'sepadirectdebit';
  lastFour: string;
  expiryMonth: string;
  expiryYear: string;
  holderName?: string;
  returnUrl: string;
  /** Manual capture waits for /captures; immediate capture records a capture at authorisation. */
  captureMode: 'manual' | 'immediate';
  authCode?: string;
  /** Sum of successful captures, in minor units. */
  capturedValue: number;
  /** Sum of successful refunds, in minor units. */
  refundedValue: number;
  /** The Idempotency-Key of the /payments request, if one was sent. */
  idempotencyKey?: string;
  /**
   * Tokenization asked for (`storePaymentMethod` with a `shopperReference`): the card is stored once the payment is
   * authorised, and the token and the scheme's transaction id are then set.
   */
  tokenization?: { shopperReference: string; recurringProcessingModel: string; storedPaymentMethodId?: string; networkTxReference?: string };
  /** `Ecommerce` (the shopper present) or `ContAuth` (card on file: a merchant-initiated payment). */
  shopperInteraction: string;
  /** The stored card a token payment was made with. */
  storedPaymentMethodId?: string;
  /** The scheme's id of the first transaction, sent with card details on a merchant-initiated payment. */
  networkPaymentReference?: string;
  /** When 3-D Secure was required: whether the shopper passed it (set by /payments/details). */
  authentication?: 'pending' | 'authenticated' | 'failed';
  createdAt: string;
}

export type ModificationKind = 'capture' | 'cancel' | 'refund';

export interface ModificationRecord {
  pspReference: string;
  paymentPspReference: string;
  kind: ModificationKind;
  /** Captures and refunds carry an amount; a cancel covers the whole authorisation. */
  amount: Amount;
  merchantAccount: string;
  reference?: string;
  /** `automatic` marks the capture made at authorisation for immediate-capture payments. */
  source: 'api' | 'automatic';
  status: 'succeeded' | 'failed';
  /** Why a failed modification failed (the webhook's `reason`). */
  reason?: string;
  idempotencyKey?: string;
  createdAt: string;
}

/** The details of a stored card that a payment with its token is made with (no security code: it is never stored). */
export interface StoredCardDetails {
  number: string;
  expiryMonth: string;
  expiryYear: string;
  holderName?: string;
}

/** A card stored for a shopper (Adyen's token): what a later payment with `storedPaymentMethodId` would use. */
export interface StoredPaymentMethodRecord {
  storedPaymentMethodId: string;
  shopperReference: string;
  merchantAccount: string;
  recurringProcessingModel: string;
  brand: CardBrand;
  lastFour: string;
  expiryMonth: string;
  expiryYear: string;
  /** The payment (a zero-value verification, or a payment with storePaymentMethod) that stored it. */
  firstPspReference: string;
  networkTxReference: string;
  createdAt: string;
}

/** One queued standard notification and how its delivery went. */
export interface NotificationRecord {
  id: number;
  eventCode: string;
  pspReference: string;
  originalReference?: string;
  success: boolean;
  /** The exact JSON body POSTed to the webhook URL. */
  body: unknown;
  attempts: number;
  delivered: boolean;
  /** Whether delivery was abandoned after the last retry. */
  abandoned: boolean;
  lastStatus?: number;
  lastError?: string;
  /** A duplicate delivery injected by the `webhookDuplicate` fault. */
  duplicate: boolean;
  createdAt: string;
}

/** The first response given to an Idempotency-Key, replayed for a retry of the same request. */
export interface IdempotentResponse {
  /** Digest of the method, path and body (canonical JSON: key order and whitespace do not matter) of the first request. */
  fingerprint: string;
  status: number;
  body: unknown;
}

export interface SandboxRecords {
  payments: PaymentRecord[];
  storedPaymentMethods: StoredPaymentMethodRecord[];
  modifications: ModificationRecord[];
  notifications: NotificationRecord[];
}

/** Adyen pspReferences are 16 characters, letters and digits. */
const pspReferenceLength = 16;
const pspAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function newPspReference(): string {
  const bytes = randomBytes(pspReferenceLength);
  let reference = '';
  for (const byte of bytes) reference += pspAlphabet[byte % pspAlphabet.length];
  return reference;
}

export class SandboxStore {
  readonly payments = new Map<string, PaymentRecord>();
  /** storedPaymentMethodId -> the stored card. */
  readonly storedPaymentMethods = new Map<string, StoredPaymentMethodRecord>();
  readonly modifications: ModificationRecord[] = [];
  readonly notifications: NotificationRecord[] = [];
  /** Idempotency-Key -> stored response (Adyen scopes keys to the company account; the sandbox has one). */
  readonly idempotency = new Map<string, IdempotentResponse>();
  /** redirectResult token -> the payment and the challenge outcome the shopper chose. */
  readonly redirectResults = new Map<string, { pspReference: string; authenticated: boolean }>();
  /** 3-D Secure page token -> payment pspReference. */
  readonly challenges = new Map<string, string>();
  /**
   * storedPaymentMethodId -> the card's details, as Adyen's vault keeps them for later payments with the token. Kept
   * out of the records (`snapshot`), which show the stored card's brand and last four only.
   */
  readonly storedCards = new Map<string, StoredCardDetails>();
  /** pspReference -> the card details of a payment asked to store its card, until it is authorised (or not). */
  readonly cardsToStore = new Map<string, StoredCardDetails>();

  modificationsOf(pspReference: string): ModificationRecord[] {
    return this.modifications.filter((modification) => modification.paymentPspReference === pspReference);
  }

  snapshot(): SandboxRecords {
    return structuredClone({ payments: [...this.payments.values()], storedPaymentMethods: [...this.storedPaymentMethods.values()], modifications: this.modifications, notifications: this.notifications });
  }

  clear(): void {
    this.payments.clear();
    this.storedPaymentMethods.clear();
    this.modifications.length = 0;
    this.notifications.length = 0;
    this.idempotency.clear();
    this.redirectResults.clear();
    this.challenges.clear();
    this.storedCards.clear();
    this.cardsToStore.clear();
  }
}
