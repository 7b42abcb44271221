import { randomBytes } from 'node:crypto';
import type { DeliveryRecord } from '../shared/webhook-sender.ts';

/**
 * The Mollie sandbox's in-memory records. Like the Adyen and PayPal sandboxes it keeps no database: everything lives as
 * long as the process, and tests read it through `GET /sandbox/admin/records` (or `records()` in-process) to check what
 * the provider really did, e.g. that a retried request created one payment.
 */

/** Mollie's `amount`: an ISO currency code and a decimal string with exactly the currency's decimals. */
export interface Amount {
  currency: string;
  value: string;
}

/** Payment statuses (components.schemas.payment-status in Mollie's OpenAPI description, github.com/mollie/openapi). */
export type PaymentStatus = 'open' | 'pending' | 'authorized' | 'paid' | 'canceled' | 'expired' | 'failed';
/** Refund statuses (components.schemas.refund-status). */
export type RefundStatus = 'queued' | 'pending' | 'processing' | 'refunded' | 'failed' | 'canceled';
export type SequenceType = 'oneoff' | 'first' | 'recurring';
export type MandateMethod = 'directdebit' | 'creditcard' | 'paypal';
export type MandateStatus = 'valid' | 'pending' | 'invalid';

export interface PaymentRecord {
  id: string;
  createdAt: string;
  amount: Amount;
  /** The amount in the currency's minor unit, for exact arithmetic. */
  minor: number;
  refundedMinor: number;
  description: string;
  /** The method the payment was created with, or chosen on the checkout page; null while the shopper has not chosen. */
  method: string | null;
  /** The methods offered on the checkout page when the request named a list (or none: every method). */
  offeredMethods: string[] | null;
  redirectUrl: string | null;
  cancelUrl: string | null;
  webhookUrl: string | null;
  locale: string | null;
  metadata: unknown;
  sequenceType: SequenceType;
  customerId: string | null;
  mandateId: string | null;
  status: PaymentStatus;
  /** Method-specific details Mollie adds (the consumer's account for iDEAL and direct debit, a card's last digits). */
  details: Record<string, unknown> | null;
  expiresAt: string | null;
  paidAt?: string;
  authorizedAt?: string;
  canceledAt?: string;
  expiredAt?: string;
  failedAt?: string;
}

/** A capture of an authorized payment (Klarna, Billie, Riverty): Mollie's Captures API. */
export interface CaptureRecord {
  id: string;
  paymentId: string;
  amount: Amount;
  minor: number;
  description: string | null;
  metadata: unknown;
  status: 'pending' | 'succeeded' | 'failed';
  createdAt: string;
}

export interface RefundRecord {
  id: string;
  paymentId: string;
  amount: Amount;
  minor: number;
  description: string;
  metadata: unknown;
  status: RefundStatus;
  createdAt: string;
}

export interface CustomerRecord {
  id: string;
  name: string | null;
  email: string | null;
  locale: string | null;
  metadata: unknown;
  createdAt: string;
}

export interface MandateRecord {
  id: string;
  customerId: string;
  method: MandateMethod;
  status: MandateStatus;
  details: Record<string, unknown>;
  mandateReference: string | null;
  signatureDate: string | null;
  createdAt: string;
}

/** One webhook call (`id=<resource id>` to the payment's webhookUrl) and how its delivery went. */
export interface WebhookRecord extends DeliveryRecord {
  /** The id posted: always the payment's id, also for its refunds' status changes (as Mollie does). */
  resourceId: string;
  url: string;
  /** What changed, for readers of the records: `payment.paid`, `refund.refunded`, ... */
  cause: string;
  duplicate: boolean;
  createdAt: string;
}

/** The first answer given to an Idempotency-Key, replayed for a retry of the same request. */
export interface StoredAnswer {
  /** Method, path and body of the first request: the same key with a different request is refused. */
  fingerprint: string;
  status: number;
  body: unknown;
  expiresAtMs: number;
}

export interface SandboxRecords {
  payments: PaymentRecord[];
  refunds: RefundRecord[];
  captures: CaptureRecord[];
  customers: CustomerRecord[];
  mandates: MandateRecord[];
  webhooks: WebhookRecord[];
}

const idAlphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A Mollie id: its prefix (`tr_`, `re_`, `cst_`, `mdt_`, `pfl_`) and ten letters and digits, e.g. `tr_7UhSN1zuXS`. */
export function newMollieId(prefix: 'tr' | 're' | 'cst' | 'mdt' | 'pfl' | 'cpt', length = 10): string {
  let id = `${prefix}_`;
  for (const byte of randomBytes(length)) id += idAlphabet[byte % idAlphabet.length];
  return id;
}

export class SandboxStore {
  /** Insertion order is creation order; lists read them newest first. */
  readonly payments = new Map<string, PaymentRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly captures = new Map<string, CaptureRecord>();
  /** Payments with at least one refund (their `_links.refunds`), without scanning every refund per render. */
  readonly paymentIdsWithRefunds = new Set<string>();
  readonly customers = new Map<string, CustomerRecord>();
  /** Ids of deleted customers: asking for one is a 410, not a 404. */
  readonly deletedCustomerIds = new Set<string>();
  readonly mandates = new Map<string, MandateRecord>();
  readonly webhooks: WebhookRecord[] = [];
  /** API key + Idempotency-Key -> the first answer. */
  readonly idempotency = new Map<string, StoredAnswer>();

  snapshot(): SandboxRecords {
    return structuredClone({
      payments: [...this.payments.values()],
      refunds: [...this.refunds.values()],
      captures: [...this.captures.values()],
      customers: [...this.customers.values()],
      mandates: [...this.mandates.values()],
      webhooks: this.webhooks,
    });
  }

  clear(): void {
    this.payments.clear();
    this.refunds.clear();
    this.captures.clear();
    this.paymentIdsWithRefunds.clear();
    this.customers.clear();
    this.deletedCustomerIds.clear();
    this.mandates.clear();
    this.webhooks.length = 0;
    this.idempotency.clear();
  }
}
