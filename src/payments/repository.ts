import { prepared, type Queryable } from '../platform/db.ts';
import { jsonRows, jsonRowsFrom, jsonRowsInsert, queryOf, jsonRowsGate, type PartOptions, type Statement } from '../platform/statements.ts';
import type { Scope } from '../platform/scope.ts';
import { assert } from '../platform/errors.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { PaymentIntentStatus } from './state.ts';
import type { ChargeConnect, IntentConnect } from './connect-charge.ts';

export interface LastPaymentError {
  type: string;
  code: string;
  decline_code?: string;
  message: string;
  charge?: string;
  payment_method_id?: string;
  doc_url?: string;
}

export interface PaymentIntentRow {
  id: string;
  account_id: string;
  livemode: boolean;
  amount: number;
  currency: string;
  status: PaymentIntentStatus;
  capture_method: 'automatic' | 'automatic_async' | 'manual';
  confirmation_method: 'automatic' | 'manual';
  customer_id: string | null;
  payment_method_id: string | null;
  payment_method_types: string[];
  description: string | null;
  receipt_email: string | null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  setup_future_usage: 'on_session' | 'off_session' | null;
  return_url: string | null;
  amount_capturable: number;
  amount_received: number;
  latest_charge_id: string | null;
  last_payment_error: LastPaymentError | null;
  next_action: Record<string, unknown> | null;
  cancellation_reason: string | null;
  canceled_at: number | null;
  client_secret: string;
  metadata: Record<string, string>;
  created: number;
  /** Stripe's `automatic_payment_methods` ({enabled, allow_redirects}); null when the intent names its types. */
  automatic_payment_methods: AutomaticPaymentMethods | null;
  /** Stripe's `shipping` hash as given (address, name, phone, carrier, tracking_number). */
  shipping: Record<string, unknown> | null;
  /** Stripe's `payment_method_options` as given; Payrail takes `card` (src/payments/payment-method-options.ts). */
  payment_method_options: PaymentMethodOptions;
  /**
   * Stripe Connect parameters (transfer_data, application_fee_amount, on_behalf_of, transfer_group); null or absent
   * for an ordinary payment, whose statements then carry no such key.
   */
  connect?: IntentConnect | null;
}

export interface AutomaticPaymentMethods {
  enabled: boolean;
  allow_redirects: 'always' | 'never';
  /** The Payment Method Configuration the types came from (rendered as `payment_method_configuration_details`). */
  configuration?: string;
}

export interface CardPaymentMethodOptions {
  request_three_d_secure?: 'automatic' | 'any' | 'challenge';
  capture_method?: 'manual';
  setup_future_usage?: 'none' | 'off_session' | 'on_session';
  request_incremental_authorization?: 'if_available' | 'never';
  /** Stripe's installments: enabled on the intent, the plan chosen at confirmation (payment-method-options.ts). */
  installments?: CardInstallmentsOptions;
}

/** A fixed-count plan of monthly installments, as Stripe's `payment_method_details_card_installments_plan`. */
export interface InstallmentPlan {
  count: number;
  interval: 'month';
  type: 'fixed_count';
}

export interface CardInstallmentsOptions {
  enabled?: boolean;
  plan?: InstallmentPlan;
}

/** `payment_method_options[blik]`: the 6-digit code, set at confirmation only and never rendered back. */
export interface BlikPaymentMethodOptions {
  code?: string;
}

/** `payment_method_options[klarna]`: manual capture (Klarna holds the funds) and the locale of Klarna's page. */
export interface KlarnaPaymentMethodOptions {
  capture_method?: 'manual';
  preferred_locale?: string;
}

/** `payment_method_options[boleto]` and `[pix]`: how long the voucher or QR code stays payable. */
export interface BoletoPaymentMethodOptions {
  expires_after_days?: number;
}
export interface PixPaymentMethodOptions {
  expires_after_seconds?: number;
}
/** `payment_method_options[upi]` (Payrail's extension): collect (the default) or intent, where the connector offers it. */
export interface UpiPaymentMethodOptions {
  flow?: 'collect' | 'intent';
}

/** `payment_method_options[sepa_debit]`: Stripe's `target_date`, the day the debit is made (YYYY-MM-DD). */
export interface SepaDebitPaymentMethodOptions {
  target_date?: string;
}

export interface PaymentMethodOptions {
  card?: CardPaymentMethodOptions;
  sepa_debit?: SepaDebitPaymentMethodOptions;
  blik?: BlikPaymentMethodOptions;
  klarna?: KlarnaPaymentMethodOptions;
  boleto?: BoletoPaymentMethodOptions;
  pix?: PixPaymentMethodOptions;
  upi?: UpiPaymentMethodOptions;
}

export interface ChargeRow {
  id: string;
  account_id: string;
  livemode: boolean;
  payment_intent_id: string;
  payment_method_id: string;
  customer_id: string | null;
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  currency: string;
  status: 'pending' | 'succeeded' | 'failed';
  captured: boolean;
  authorized: boolean;
  released: boolean;
  failure_code: string | null;
  failure_message: string | null;
  outcome: Record<string, unknown> | null;
  payment_method_details: Record<string, unknown>;
  description: string | null;
  receipt_email: string | null;
  processor_reference: string | null;
  metadata: Record<string, string>;
  created: number;
  /** The balance transaction of its capture (null until captured). */
  balance_transaction_id: string | null;
  /** Stripe's `disputed`: a dispute was opened on it (src/disputes/). Absent on rows built before their insert. */
  disputed?: boolean;
  /** The authorization hold entry of a manual-capture charge, resolved by its capture or void. */
  hold_entry_id: string | null;
  /** Where its captured amount settled, and at what rate (numeric text; null without conversion). */
  settlement_currency: string | null;
  exchange_rate: string | null;
  /** The connector that answered, its configuration (null: the built-in test processor), and the attempt. */
  connector: string | null;
  connector_configuration_id: string | null;
  attempt_id: string | null;
  /** The routing decision and the attempts of the cascade (src/orchestration/orchestrator.ts ChargeRouting). */
  routing: Record<string, unknown> | null;
  /** A provider's later confirmation of the capture (Adyen CAPTURE / CAPTURE_FAILED webhooks); null until one arrives. */
  capture_status: 'pending' | 'succeeded' | 'failed' | null;
  /** The amount of a capture whose answer was ambiguous (capture_status pending before the charge is captured). */
  capture_requested_amount: number | null;
  /** A legacy charge's card source as it was when charged (Stripe's `source`); null for PaymentIntent charges. */
  source: Record<string, unknown> | null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  /** Stripe's charge `shipping` (`address`, `carrier`, `name`, `phone`, `tracking_number`): a legacy charge's own, or the intent's when the charge was made. */
  shipping: Record<string, unknown> | null;
  /** Stripe's `fraud_details`: `user_report` as the merchant reported it. */
  fraud_details: Record<string, string>;
  transfer_group: string | null;
  /** Incremental authorization attempts, declines included (at most 10, as at Stripe). */
  incremental_authorization_attempts: number;
  /** Its intent's Connect parameters and what its capture created (transfer, application fee); absent or null otherwise. */
  connect?: ChargeConnect | null;
}

const intentColumns = [
  'amount', 'currency', 'status', 'capture_method', 'confirmation_method', 'customer_id', 'payment_method_id',
  'payment_method_types', 'description', 'receipt_email', 'statement_descriptor', 'statement_descriptor_suffix',
  'setup_future_usage', 'return_url', 'amount_capturable', 'amount_received', 'latest_charge_id', 'last_payment_error',
  'next_action', 'cancellation_reason', 'canceled_at', 'metadata', 'automatic_payment_methods', 'shipping', 'payment_method_options', 'connect',
] as const satisfies readonly (keyof PaymentIntentRow)[];

/** The INSERT of a new intent, for combining with the other writes of its request; `returning` gives back the row. */
export function intentInsertStatement(scope: Scope, row: Omit<PaymentIntentRow, 'account_id' | 'livemode'>, options: PartOptions & { returning?: boolean } = {}): Statement {
  const columns = ['id', 'account_id', 'livemode', 'client_secret', 'created', ...intentColumns];
  const stored: Record<string, unknown> = { id: row.id, account_id: scope.accountId, livemode: scope.livemode, client_secret: row.client_secret, created: row.created };
  for (const column of intentColumns) stored[column] = row[column];
  return jsonRowsInsert('payment_intents', columns, [stored], { onlyIfRowsIn: options.onlyIfRowsIn, gateKey: options.gateKey, returning: options.returning ? 'RETURNING *' : undefined });
}

export async function insertPaymentIntent(db: Queryable, scope: Scope, row: Omit<PaymentIntentRow, 'account_id' | 'livemode'>): Promise<PaymentIntentRow> {
  const statement = intentInsertStatement(scope, row, { returning: true });
  const result = await db.query<PaymentIntentRow>(queryOf(statement));
  return result.rows[0];
}

export async function findPaymentIntent(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<PaymentIntentRow | undefined> {
  const result = await db.query<PaymentIntentRow>(prepared(
    `SELECT * FROM payment_intents WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  ));
  return result.rows[0];
}

/** What an intent's compare-and-set expects to find. */
export interface IntentExpectation {
  status: PaymentIntentStatus;
  latestChargeId: string;
  latestChargePending?: boolean;
}

/**
 * The UPDATE (RETURNING *) of an intent's changed columns; `updated_at` tracks when an in-flight attempt started.
 * With `expect`, the row is only written while it is still in that status with that latest charge: a
 * compare-and-set that also takes the row lock. `latestChargePending` adds that the latest charge is still
 * pending (no answer applied to it yet): the guard under which a provider's answer is applied exactly once.
 * Written as JSON rows reached through `id = ANY` (so the group commit can merge many intents' updates of one
 * shape into one statement), and planned at each run, where the array's length is known. `gate` makes it a part
 * that writes only when an earlier part returned a row (a request's hold on its idempotency key).
 */
export function intentUpdateStatement(
  current: Pick<PaymentIntentRow, 'id' | 'account_id' | 'livemode'>,
  changes: Partial<PaymentIntentRow>,
  expect?: IntentExpectation,
  gate: PartOptions = {},
): Statement {
  const sets: string[] = ['updated_at = now()'];
  const row: Record<string, unknown> = { id: current.id, account_id: current.account_id, livemode: current.livemode };
  if (gate.gateKey !== undefined) row.gate = gate.gateKey;
  const gated = jsonRowsGate(gate);
  for (const column of intentColumns) {
    if (!(column in changes)) continue;
    row[column] = changes[column] ?? null;
    sets.push(`${column} = r.${column}`);
  }
  let condition = '';
  let pendingCharge = '';
  if (expect) {
    row.expect_status = expect.status;
    row.expect_charge = expect.latestChargeId;
    condition = ` AND p.status = e->>'expect_status' AND p.latest_charge_id = e->>'expect_charge'`;
    // A join, not a subquery over the row: see jsonRowsGate (platform/statements.ts).
    // Reached through `id = ANY` of its own array as well, so the plan looks it up by primary key however many
    // rows the statement carries (a join on the JSON value alone is planned for 100 rows and may scan charges).
    if (expect.latestChargePending) {
      pendingCharge = ', charges pending_charge';
      condition += ` AND pending_charge.id = ANY ($3::text[]) AND pending_charge.id = e->>'expect_charge' AND pending_charge.status = 'pending'`;
    }
  }
  return {
    text: `UPDATE payment_intents p SET ${sets.join(', ')} FROM ${jsonRowsFrom('$1', 'payment_intents')}${pendingCharge}${gated.from}
      WHERE p.id = ANY ($2::text[]) AND p.id = r.id AND (p.account_id, p.livemode) IS NOT DISTINCT FROM (r.account_id, r.livemode)${condition}${gate.onlyIfRowsIn ? ` AND ${gated.condition}` : ''} RETURNING p.*`,
    values: expect?.latestChargePending ? [jsonRows([row]), [current.id], [expect.latestChargeId]] : [jsonRows([row]), [current.id]],
    oneShot: true,
  };
}

/** Writes an intent's changed columns; with `expect`, undefined when the compare-and-set did not match. */
export async function updatePaymentIntent(
  db: Queryable,
  current: Pick<PaymentIntentRow, 'id' | 'account_id' | 'livemode'>,
  changes: Partial<PaymentIntentRow>,
  expect?: IntentExpectation,
): Promise<PaymentIntentRow> {
  const statement = intentUpdateStatement(current, changes, expect);
  const result = await db.query<PaymentIntentRow>(queryOf(statement));
  return result.rows[0];
}

export async function listPaymentIntents(db: Queryable, scope: Scope, page: PageRequest, filters: { customer?: string }): Promise<Page<PaymentIntentRow>> {
  return listPage<PaymentIntentRow>(
    db,
    {
      table: 'payment_intents',
      objectName: 'payment_intent',
      accountId: scope.accountId,
      livemode: scope.livemode,
      conditions: filters.customer !== undefined ? [{ sql: 'customer_id = $?', value: filters.customer }] : [],
    },
    page,
  );
}

const chargeColumns = [
  'amount_captured', 'amount_refunded', 'status', 'captured', 'authorized', 'released', 'failure_code', 'failure_message',
  'outcome', 'payment_method_details', 'processor_reference', 'metadata', 'description', 'balance_transaction_id', 'hold_entry_id',
  'settlement_currency', 'exchange_rate', 'connector', 'connector_configuration_id', 'attempt_id', 'routing', 'capture_status', 'capture_requested_amount',
  'receipt_email', 'shipping', 'fraud_details', 'transfer_group', 'amount', 'incremental_authorization_attempts', 'connect',
] as const satisfies readonly (keyof ChargeRow)[];

const chargeInsertColumns = ['id', 'account_id', 'livemode', 'payment_intent_id', 'payment_method_id', 'customer_id', 'amount', 'currency', 'status',
  'payment_method_details', 'description', 'receipt_email', 'metadata', 'created', 'source', 'statement_descriptor', 'statement_descriptor_suffix', 'shipping', 'transfer_group', 'connect'] as const satisfies readonly (keyof ChargeRow)[];

export function chargeInsertStatement(row: Omit<ChargeRow, 'seq'>, options: PartOptions = {}): Statement {
  return jsonRowsInsert('charges', chargeInsertColumns, [Object.fromEntries(chargeInsertColumns.map((column) => [column, row[column]]))], options);
}

export async function findCharge(db: Queryable, scope: Scope, id: string): Promise<ChargeRow | undefined> {
  const result = await db.query<ChargeRow>('SELECT * FROM charges WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
  return result.rows[0];
}

/** What a charge must still be for an update of it to apply (a compare-and-set); every given condition must hold. */
export interface ChargeExpectation {
  /** The charge's status (an authorization's answer applies to a `pending` charge only). */
  status?: ChargeRow['status'];
  /** A capture reservation of this amount: not captured, its capture pending for exactly that amount. */
  reservedCapture?: number;
}

/**
 * The UPDATE (RETURNING *) of a charge's changed columns; with `expect`, only while the charge is still as it says;
 * with `onlyIfRowsIn`, only when that earlier part of the statement returned a row (a sibling compare-and-set matched).
 * JSON rows reached through `id = ANY`, planned at each run, as intentUpdateStatement.
 */
export function chargeUpdateStatement(current: Pick<ChargeRow, 'id' | 'account_id'>, changes: Partial<ChargeRow>, expect: ChargeExpectation = {}, options: PartOptions = {}): Statement {
  const sets: string[] = [];
  const row: Record<string, unknown> = { id: current.id, account_id: current.account_id };
  for (const column of chargeColumns) {
    if (!(column in changes)) continue;
    row[column] = changes[column] ?? null;
    sets.push(`${column} = r.${column}`);
  }
  assert(sets.length > 0, 'a charge update changes something');
  let condition = '';
  if (expect.status) {
    row.expect_status = expect.status;
    condition += ` AND c.status = e->>'expect_status'`;
  }
  if (expect.reservedCapture !== undefined) {
    row.expect_reserved = expect.reservedCapture;
    condition += ` AND NOT c.captured AND c.capture_status = 'pending' AND c.capture_requested_amount = (e->>'expect_reserved')::bigint`;
  }
  if (options.gateKey !== undefined) row.gate = options.gateKey;
  const gate = jsonRowsGate(options);
  return {
    text: `UPDATE charges c SET ${sets.join(', ')} FROM ${jsonRowsFrom('$1', 'charges')}${gate.from}
      WHERE c.id = ANY ($2::text[]) AND c.id = r.id AND c.account_id IS NOT DISTINCT FROM r.account_id${condition} AND ${gate.condition} RETURNING c.*`,
    values: [jsonRows([row]), [current.id]],
    oneShot: true,
  };
}

/** Writes the changed columns of a charge; with `expect`, only while the charge is still as it says. */
export async function updateCharge(db: Queryable, current: Pick<ChargeRow, 'id' | 'account_id'>, changes: Partial<ChargeRow>, expect: ChargeExpectation = {}): Promise<ChargeRow> {
  const statement = chargeUpdateStatement(current, changes, expect);
  const result = await db.query<ChargeRow>(queryOf(statement));
  return result.rows[0];
}

export async function listCharges(db: Queryable, scope: Scope, page: PageRequest, filters: { customer?: string; payment_intent?: string }): Promise<Page<ChargeRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.customer !== undefined) conditions.push({ sql: 'customer_id = $?', value: filters.customer });
  if (filters.payment_intent !== undefined) conditions.push({ sql: 'payment_intent_id = $?', value: filters.payment_intent });
  return listPage<ChargeRow>(db, { table: 'charges', objectName: 'charge', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}
