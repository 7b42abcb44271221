import { randomBytes } from 'node:crypto';

/**
 * The PayPal sandbox's in-memory records. Like the Adyen sandbox it keeps no database: everything lives as long as the
 * process, and tests read it through `GET /sandbox/admin/records` (or `records()` in-process) to check what the
 * provider really did, e.g. that an order was created once and captured at most once.
 */

/** PayPal's `money`: an ISO currency code and a decimal string in major units. */
export interface Money {
  currency_code: string;
  value: string;
}

export type OrderStatus = 'CREATED' | 'SAVED' | 'APPROVED' | 'VOIDED' | 'COMPLETED' | 'PAYER_ACTION_REQUIRED';
export type AuthorizationStatus = 'CREATED' | 'CAPTURED' | 'DENIED' | 'PARTIALLY_CAPTURED' | 'VOIDED' | 'PENDING';
export type CaptureStatus = 'COMPLETED' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'PENDING' | 'REFUNDED' | 'FAILED';
export type RefundStatus = 'CANCELLED' | 'FAILED' | 'PENDING' | 'COMPLETED';

export interface CaptureRecord {
  id: string;
  orderId: string;
  /** The authorization it captured, for captures made through Payments v2. */
  authorizationId?: string;
  amount: Money;
  /** The amount in PayPal's smallest unit for the currency (cents; yen), for exact arithmetic. */
  minor: number;
  refundedMinor: number;
  status: CaptureStatus;
  /** PayPal's `status_details.reason` of a PENDING capture (the sandbox makes `ECHECK` ones). */
  pendingReason?: 'ECHECK';
  finalCapture: boolean;
  invoiceId?: string;
  customId?: string;
  createTime: string;
  updateTime: string;
}

export interface AuthorizationRecord {
  id: string;
  orderId: string;
  amount: Money;
  minor: number;
  capturedMinor: number;
  status: AuthorizationStatus;
  customId?: string;
  invoiceId?: string;
  expirationTime: string;
  createTime: string;
  updateTime: string;
}

export interface RefundRecord {
  id: string;
  captureId: string;
  orderId: string;
  amount: Money;
  minor: number;
  status: RefundStatus;
  invoiceId?: string;
  customId?: string;
  noteToPayer?: string;
  createTime: string;
  updateTime: string;
}

export interface PayerRecord {
  payerId: string;
  email: string;
  givenName: string;
  surname: string;
}

export interface OrderRecord {
  id: string;
  intent: 'CAPTURE' | 'AUTHORIZE';
  status: OrderStatus;
  amount: Money;
  minor: number;
  referenceId: string;
  customId?: string;
  invoiceId?: string;
  description?: string;
  /** Whether the request named `payment_source.paypal` (then PayPal answers PAYER_ACTION_REQUIRED with a payer-action link). */
  paymentSourcePayPal: boolean;
  returnUrl?: string;
  cancelUrl?: string;
  brandName?: string;
  payer?: PayerRecord;
  /**
   * How the sandbox's buyer funded the approval: `declined` makes the capture or authorization fail; `echeck` makes
   * the order's capture PENDING (reason ECHECK) until POST /sandbox/admin/captures/:id/settle clears or denies it.
   */
  funding?: 'ok' | 'declined' | 'echeck';
  captureIds: string[];
  authorizationIds: string[];
  createTime: string;
  updateTime: string;
}

/** One queued webhook event and how its delivery went. */
export interface WebhookRecord {
  /** The event id (`WH-...`); a duplicate delivery repeats the same event with a new transmission. */
  eventId: string;
  eventType: string;
  resourceId: string;
  body: string;
  transmissionIds: string[];
  attempts: number;
  delivered: boolean;
  abandoned: boolean;
  duplicate: boolean;
  lastStatus?: number;
  lastError?: string;
  createTime: string;
}

/** The first response given to a `PayPal-Request-Id`, replayed for a retry. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface SandboxRecords {
  orders: OrderRecord[];
  authorizations: AuthorizationRecord[];
  captures: CaptureRecord[];
  refunds: RefundRecord[];
  webhooks: WebhookRecord[];
}

const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Account ids (payer and merchant ids) avoid look-alike characters: `^[2-9A-HJ-NP-Z]{13}$` in the Orders spec. */
const accountIdAlphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const accountIdLength = 13;

/** PayPal resource ids are 17 upper-case letters and digits (e.g. `5O190127TN364715T`). */
export function newPayPalId(length = 17): string {
  let id = '';
  for (const byte of randomBytes(length)) id += idAlphabet[byte % idAlphabet.length];
  return id;
}

/** A PayPal account id (payer id, merchant id): 13 characters without 0, 1, I or O. */
export function newAccountId(): string {
  let id = '';
  for (const byte of randomBytes(accountIdLength)) id += accountIdAlphabet[byte % accountIdAlphabet.length];
  return id;
}

/** PayPal's `debug_id`: a short lower-case hex correlation id. */
export function newDebugId(): string {
  return randomBytes(7).toString('hex').slice(0, 13);
}

export class SandboxStore {
  readonly orders = new Map<string, OrderRecord>();
  readonly authorizations = new Map<string, AuthorizationRecord>();
  readonly captures = new Map<string, CaptureRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly webhooks: WebhookRecord[] = [];
  /** `METHOD path` + PayPal-Request-Id -> the first response. */
  readonly requestIds = new Map<string, StoredResponse>();
  /** Access token -> expiry (epoch milliseconds). */
  readonly accessTokens = new Map<string, number>();

  snapshot(): SandboxRecords {
    return structuredClone({
      orders: [...this.orders.values()],
      authorizations: [...this.authorizations.values()],
      captures: [...this.captures.values()],
      refunds: [...this.refunds.values()],
      webhooks: this.webhooks,
    });
  }

  clear(): void {
    this.orders.clear();
    this.authorizations.clear();
    this.captures.clear();
    this.refunds.clear();
    this.webhooks.length = 0;
    this.requestIds.clear();
    this.accessTokens.clear();
  }
}
