import { randomBytes } from 'node:crypto';
import type { DeliveryRecord } from '../shared/webhook-sender.ts';

/**
 * The Razorpay sandbox's in-memory records. Like the Adyen and PayPal sandboxes it keeps no database: everything lives
 * as long as the process, and tests read it through `GET /sandbox/admin/records` (or `records()` in-process) to check
 * what the provider really did, e.g. that an order was paid once and a payment refunded no more than it was captured.
 * Amounts are integers in the currency's smallest unit (paise for INR), as Razorpay's API takes and answers them.
 * Card numbers are never kept: a card record has the last four digits and the network only.
 */

export type OrderStatus = 'created' | 'attempted' | 'paid';
export type PaymentStatus = 'created' | 'authorized' | 'captured' | 'refunded' | 'failed';
export type RefundStatus = 'pending' | 'processed' | 'failed';
export type CaptureMode = 'automatic' | 'manual';

/** Razorpay's `notes`: up to 15 key-value pairs. */
export type Notes = Record<string, string | number>;

export interface OrderRecord {
  id: string;
  amount: number;
  amountPaid: number;
  currency: string;
  receipt: string | null;
  notes: Notes;
  status: OrderStatus;
  /** Payments made against the order (Razorpay's `attempts`). */
  attempts: number;
  /** Whether an authorized payment of this order is captured at once (the order's `payment.capture`). */
  capture: CaptureMode;
  paymentIds: string[];
  /** Unix seconds, as Razorpay's `created_at`. */
  createdAt: number;
}

/** Why a payment failed, in Razorpay's error vocabulary (`error_code`, `error_description`, ...). */
export interface PaymentFailure {
  code: 'BAD_REQUEST_ERROR' | 'GATEWAY_ERROR' | 'SERVER_ERROR';
  description: string;
  source: string;
  step: string;
  reason: string;
}

export interface CardRecord {
  id: string;
  name: string;
  last4: string;
  network: 'American Express' | 'Diners Club' | 'MasterCard' | 'RuPay' | 'Visa' | 'Unknown';
}

export interface PaymentRecord {
  id: string;
  orderId: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  method: 'upi' | 'card';
  captured: boolean;
  amountRefunded: number;
  email: string;
  contact: string;
  description: string | null;
  notes: Notes;
  /** UPI: the payer's VPA (collect) or null (intent, until the payer's app reports it). */
  vpa: string | null;
  upiFlow: 'collect' | 'intent' | null;
  /** UPI intent: the `upi://pay?...` link the payer's app opens. */
  intentLink?: string;
  card?: CardRecord;
  failure?: PaymentFailure;
  /** Razorpay's fee (GST included) and the GST in it, set when the payment is captured. */
  fee: number | null;
  tax: number | null;
  acquirerData: Record<string, string | null>;
  refundIds: string[];
  createdAt: number;
}

export interface RefundRecord {
  id: string;
  paymentId: string;
  amount: number;
  currency: string;
  notes: Notes;
  receipt: string | null;
  status: RefundStatus;
  speedRequested: 'normal' | 'optimum';
  createdAt: number;
}

/** One webhook event and how its delivery went. */
export interface WebhookRecord extends DeliveryRecord {
  /** The X-Razorpay-Event-Id; a duplicate delivery repeats the same event with the same id. */
  eventId: string;
  event: string;
  body: string;
  duplicate: boolean;
  createdAt: number;
}

export interface SandboxRecords {
  orders: OrderRecord[];
  payments: PaymentRecord[];
  refunds: RefundRecord[];
  webhooks: WebhookRecord[];
}

const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Razorpay ids are a prefix and 14 letters and digits, e.g. `order_IluGWxBm9U8zJ8`, `pay_EDNBKIP31Y4jl8`. */
const idLength = 14;

export function newRazorpayId(prefix: 'order' | 'pay' | 'rfnd' | 'card' | 'acc' | 'evt' | ''): string {
  let id = '';
  for (const byte of randomBytes(idLength)) id += idAlphabet[byte % idAlphabet.length];
  return prefix === '' ? id : `${prefix}_${id}`;
}

/** A numeric reference of `length` digits (UPI's RRN is 12). */
export function newDigits(length: number): string {
  let digits = '';
  for (const byte of randomBytes(length)) digits += String(byte % 10);
  return digits;
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export class SandboxStore {
  readonly orders = new Map<string, OrderRecord>();
  readonly payments = new Map<string, PaymentRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly webhooks: WebhookRecord[] = [];

  snapshot(): SandboxRecords {
    return structuredClone({
      orders: [...this.orders.values()],
      payments: [...this.payments.values()],
      refunds: [...this.refunds.values()],
      webhooks: this.webhooks,
    });
  }

  clear(): void {
    this.orders.clear();
    this.payments.clear();
    this.refunds.clear();
    this.webhooks.length = 0;
  }
}
