import { randomInt } from 'node:crypto';

/**
 * The Mercado Pago sandbox's in-memory state: payments, their refunds, card tokens, queued webhooks and the answers
 * stored for X-Idempotency-Key. Amounts are kept in centavos (integers); Mercado Pago's JSON carries decimal reais,
 * converted only when rendering. Card numbers are never kept: a card token keeps the first six and last four digits.
 */

export type PaymentStatus = 'pending' | 'approved' | 'authorized' | 'in_process' | 'rejected' | 'cancelled' | 'refunded';

export type PaymentKind = 'pix' | 'boleto' | 'card';

export interface IdentificationRecord {
  type: 'CPF' | 'CNPJ';
  number: string;
}

export interface PayerRecord {
  email: string;
  firstName?: string;
  lastName?: string;
  identification?: IdentificationRecord;
  address?: {
    zipCode: string;
    streetName: string;
    streetNumber: string;
    neighborhood: string;
    city: string;
    federalUnit: string;
  };
}

export interface CardRecord {
  firstSixDigits: string;
  lastFourDigits: string;
  expirationMonth: number;
  expirationYear: number;
  cardholderName: string;
  cardholderIdentification?: { type: string; number: string };
}

export interface CardTokenRecord {
  id: string;
  card: CardRecord;
  /** The brand the BIN names (visa, master, amex, elo). */
  brand: string;
  securityCodeLength: number;
  cardNumberLength: number;
  used: boolean;
  dateCreated: string;
  dateDue: string;
}

export interface PaymentRecord {
  id: number;
  kind: PaymentKind;
  paymentMethodId: string;
  paymentTypeId: 'bank_transfer' | 'ticket' | 'credit_card' | 'debit_card';
  status: PaymentStatus;
  statusDetail: string;
  amountMinor: number;
  refundedMinor: number;
  /** The amount captured of an authorization (equal to `amountMinor` once captured in full). */
  capturedMinor: number;
  captured: boolean;
  installments: number;
  description?: string;
  externalReference?: string;
  notificationUrl?: string;
  statementDescriptor?: string;
  metadata: Record<string, unknown>;
  payer: PayerRecord;
  card?: CardRecord;
  dateCreated: string;
  dateLastUpdated: string;
  dateApproved?: string;
  dateOfExpiration?: string;
  moneyReleaseDate?: string;
  /** Pix: the BR Code and its PNG (base64); boleto: the barcode and digitable line. */
  pix?: { qrCode: string; qrCodeBase64: string; endToEndId?: string };
  boleto?: { barcode: string; digitableLine: string };
  refundIds: number[];
}

export interface RefundRecord {
  id: number;
  paymentId: number;
  amountMinor: number;
  metadata: Record<string, unknown>;
  dateCreated: string;
}

/** One queued notification and how its delivery went. */
export interface WebhookRecord {
  /** The notification's own id (Mercado Pago's `id`, for deduplication); a duplicate delivery repeats it. */
  notificationId: number;
  action: 'payment.created' | 'payment.updated';
  paymentId: number;
  /** The payment's notification_url; absent: the sandbox's configured webhook URL. */
  url?: string;
  body: string;
  /** The x-request-id of each attempt (each attempt is signed afresh). */
  requestIds: string[];
  attempts: number;
  delivered: boolean;
  abandoned: boolean;
  duplicate: boolean;
  lastStatus?: number;
  lastError?: string;
  dateCreated: string;
}

/** The first answer given to an X-Idempotency-Key, replayed for a retry. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface SandboxRecords {
  payments: PaymentRecord[];
  refunds: RefundRecord[];
  webhooks: WebhookRecord[];
}

/** Mercado Pago's ids are 10 to 11 digit numbers; the sandbox counts up from a random start so runs differ. */
export class IdSequence {
  #next: number;

  constructor(start: number = randomInt(1_300_000_000, 1_900_000_000)) {
    this.#next = start;
  }

  next(): number {
    this.#next += randomInt(1, 50);
    return this.#next;
  }
}

/** Upper bounds on the maps that only grow with use (the oldest entries go first). */
export const cardTokensKeptMax = 100_000;
export const idempotencyKeysKeptMax = 100_000;

/** Adds to an insertion-ordered map, dropping its oldest entry when it is full. */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, keptMax: number): void {
  if (!map.has(key) && map.size >= keptMax) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

export class SandboxStore {
  readonly payments = new Map<number, PaymentRecord>();
  /** Ids of the pending Pix and boletos, the only payments that can expire (so a sweep does not scan them all). */
  readonly expiring = new Set<number>();
  readonly refunds = new Map<number, RefundRecord>();
  readonly cardTokens = new Map<string, CardTokenRecord>();
  readonly webhooks: WebhookRecord[] = [];
  /** `METHOD path` + X-Idempotency-Key -> the first answer. */
  readonly idempotencyKeys = new Map<string, StoredResponse>();
  readonly paymentIds = new IdSequence();
  readonly refundIds = new IdSequence();
  readonly notificationIds = new IdSequence();

  snapshot(): SandboxRecords {
    return structuredClone({ payments: [...this.payments.values()], refunds: [...this.refunds.values()], webhooks: this.webhooks });
  }

  clear(): void {
    this.payments.clear();
    this.expiring.clear();
    this.refunds.clear();
    this.cardTokens.clear();
    this.webhooks.length = 0;
    this.idempotencyKeys.clear();
  }
}
