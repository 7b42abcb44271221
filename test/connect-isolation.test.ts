import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { issueKeys } from '../src/accounts/service.ts';
import { permissionResources } from '../src/api-keys/permissions.ts';
import { releaseAvailableFunds } from '../src/ledger/jobs.ts';
import { expectLedgerClean, onboardedSeller, usBankAccount } from './helpers/connect.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * Tenant isolation across every Connect path, as a table: each Connect route (accounts, account links, external
 * accounts, transfers and reversals, application fees and their refunds, balance and balance transactions, payment
 * intents, charges, refunds, payouts, events and Connect webhook endpoints) against each foreign actor (another
 * platform's secret and restricted keys, with and without Stripe-Account, a connected account's own key acting on its
 * platform or a sibling, the platform acting as a sibling, a deleted account). Every foreign cell must answer exactly
 * as the same request naming a made-up id of the same prefix does (status, type, code, param, the error's fields, the
 * message but for the id): a real request, not a hard-coded expectation. Lists show no foreign object, and after all
 * of it no balance, transfer, fee, refund or payout has moved.
 */

type Client = Stripe;
type Options = Stripe.RequestOptions;

/** The ids of platform A's world that the cells aim at; each cell's `target` names one. */
type IdName =
  | 'platform' | 'seller' | 'sellerBank' | 'transfer' | 'reversal' | 'platformCharge' | 'destinationIntent' | 'destinationCharge'
  | 'destinationFee' | 'feeRefund' | 'directIntent' | 'directCharge' | 'directFee' | 'directRefund' | 'heldIntent' | 'payout'
  | 'platformTransaction' | 'sellerTransaction' | 'webhookEndpoint' | 'sellerEvent' | 'platformEvent' | 'sellerPerson' | 'otherSeller';
type Ids = Record<IdName, string>;

/** One Connect route as a foreign actor would call it. `ids` are A's (with the target possibly replaced). */
interface Route {
  name: string;
  /** `target`: the id that is foreign; `list`: a list that must show nothing foreign; `header`: only Stripe-Account makes it foreign. */
  kind: 'target' | 'list' | 'header';
  target?: IdName;
  /** A list filtered by a foreign id: answers as the filter by a missing id does (same page, or the same error). */
  filter?: boolean;
  call: (client: Client, options: Options, ids: Ids) => Promise<unknown>;
}

const metadata = { metadata: { by: 'foreign' } };
const bank = { external_account: usBankAccount } as Stripe.AccountCreateExternalAccountParams;
const list = { limit: 100 };

const routes: Route[] = [
  // Accounts.
  { name: 'GET /v1/accounts/:account (a connected account)', kind: 'target', target: 'seller', call: (c, o, i) => c.accounts.retrieve(i.seller, {}, o) },
  { name: 'GET /v1/accounts/:account (the platform)', kind: 'target', target: 'platform', call: (c, o, i) => c.accounts.retrieve(i.platform, {}, o) },
  { name: 'POST /v1/accounts/:account (a connected account)', kind: 'target', target: 'seller', call: (c, o, i) => c.accounts.update(i.seller, metadata, o) },
  { name: 'POST /v1/accounts/:account (the platform)', kind: 'target', target: 'platform', call: (c, o, i) => c.accounts.update(i.platform, { settings: { payouts: { debit_negative_balances: true } } }, o) },
  { name: 'DELETE /v1/accounts/:account', kind: 'target', target: 'seller', call: (c, o, i) => c.accounts.del(i.seller, {}, o) },
  { name: 'POST /v1/accounts/:account/reject', kind: 'target', target: 'seller', call: (c, o, i) => c.accounts.reject(i.seller, { reason: 'fraud' }, o) },
  { name: 'GET /v1/accounts', kind: 'list', call: (c, o) => c.accounts.list(list, o) },
  { name: 'POST /v1/account_links', kind: 'target', target: 'seller', call: (c, o, i) => c.accountLinks.create({ account: i.seller, type: 'account_onboarding', refresh_url: 'https://platform.example/refresh', return_url: 'https://platform.example/return' }, o) },
  // Persons (and Stripe's alias path, people).
  { name: 'POST /v1/accounts/:account/persons', kind: 'target', target: 'seller', call: (c, o, i) => c.accounts.createPerson(i.seller, { first_name: 'Foreign' }, o) },
  { name: 'GET /v1/accounts/:account/persons', kind: 'target', target: 'seller', call: (c, o, i) => c.accounts.listPersons(i.seller, {}, o) },
  { name: 'GET /v1/accounts/:account/persons/:person', kind: 'target', target: 'seller', call: (c, o, i) => c.accounts.retrievePerson(i.seller, i.sellerPerson, {}, o) },
  { name: 'GET /v1/accounts/:account/persons/:person (A1\'s person under B1)', kind: 'target', target: 'sellerPerson', call: (c, o, i) => c.accounts.retrievePerson(i.otherSeller, i.sellerPerson, {}, o) },
  { name: 'POST /v1/accounts/:account/persons/:person (A1\'s person under B1)', kind: 'target', target: 'sellerPerson', call: (c, o, i) => c.accounts.updatePerson(i.otherSeller, i.sellerPerson, metadata, o) },
  { name: 'DELETE /v1/accounts/:account/persons/:person (A1\'s person under B1)', kind: 'target', target: 'sellerPerson', call: (c, o, i) => c.accounts.deletePerson(i.otherSeller, i.sellerPerson, {}, o) },
  { name: 'POST /v1/accounts/:account/people/:person', kind: 'target', target: 'seller', call: (c, o, i) => c.rawRequest('POST', `/v1/accounts/${i.seller}/people/${i.sellerPerson}`, metadata, o) },
  { name: 'DELETE /v1/accounts/:account/people/:person', kind: 'target', target: 'seller', call: (c, o, i) => c.rawRequest('DELETE', `/v1/accounts/${i.seller}/people/${i.sellerPerson}`, {}, o) },
  // External accounts.
  { name: 'GET /v1/accounts/:account/external_accounts', kind: 'target', target: 'seller', call: (c, o, i) => c.accounts.listExternalAccounts(i.seller, {}, o) },
  { name: 'POST /v1/accounts/:account/external_accounts', kind: 'target', target: 'seller', call: (c, o, i) => c.accounts.createExternalAccount(i.seller, bank, o) },
  { name: 'GET /v1/accounts/:account/external_accounts/:id', kind: 'target', target: 'seller', call: (c, o, i) => c.accounts.retrieveExternalAccount(i.seller, i.sellerBank, {}, o) },
  { name: 'GET /v1/accounts/:account/external_accounts/:id (A1\'s bank under B1)', kind: 'target', target: 'sellerBank', call: (c, o, i) => c.accounts.retrieveExternalAccount(i.otherSeller, i.sellerBank, {}, o) },
  { name: 'POST /v1/accounts/:account/external_accounts/:id', kind: 'target', target: 'seller', call: (c, o, i) => c.accounts.updateExternalAccount(i.seller, i.sellerBank, metadata, o) },
  { name: 'POST /v1/accounts/:account/external_accounts/:id (A1\'s bank under B1)', kind: 'target', target: 'sellerBank', call: (c, o, i) => c.accounts.updateExternalAccount(i.otherSeller, i.sellerBank, metadata, o) },
  { name: 'DELETE /v1/accounts/:account/external_accounts/:id', kind: 'target', target: 'seller', call: (c, o, i) => c.accounts.deleteExternalAccount(i.seller, i.sellerBank, {}, o) },
  { name: 'DELETE /v1/accounts/:account/external_accounts/:id (A1\'s bank under B1)', kind: 'target', target: 'sellerBank', call: (c, o, i) => c.accounts.deleteExternalAccount(i.otherSeller, i.sellerBank, {}, o) },
  // Transfers and reversals.
  { name: 'POST /v1/transfers (destination)', kind: 'target', target: 'seller', call: (c, o, i) => c.transfers.create({ amount: 100, currency: 'usd', destination: i.seller }, o) },
  { name: 'POST /v1/transfers (source_transaction, to B1)', kind: 'target', target: 'platformCharge', call: (c, o, i) => c.transfers.create({ amount: 100, currency: 'usd', destination: i.otherSeller, source_transaction: i.platformCharge }, o) },
  { name: 'GET /v1/transfers/:id', kind: 'target', target: 'transfer', call: (c, o, i) => c.transfers.retrieve(i.transfer, {}, o) },
  { name: 'POST /v1/transfers/:id', kind: 'target', target: 'transfer', call: (c, o, i) => c.transfers.update(i.transfer, metadata, o) },
  { name: 'GET /v1/transfers', kind: 'list', call: (c, o) => c.transfers.list(list, o) },
  { name: 'GET /v1/transfers?destination=', kind: 'target', filter: true, target: 'seller', call: (c, o, i) => c.transfers.list({ destination: i.seller }, o) },
  { name: 'POST /v1/transfers/:id/reversals', kind: 'target', target: 'transfer', call: (c, o, i) => c.transfers.createReversal(i.transfer, { amount: 1 }, o) },
  { name: 'GET /v1/transfers/:id/reversals', kind: 'target', target: 'transfer', call: (c, o, i) => c.transfers.listReversals(i.transfer, {}, o) },
  { name: 'GET /v1/transfers/:transfer/reversals/:id', kind: 'target', target: 'transfer', call: (c, o, i) => c.transfers.retrieveReversal(i.transfer, i.reversal, {}, o) },
  { name: 'GET /v1/transfers/:transfer/reversals/:id (the reversal)', kind: 'target', target: 'reversal', call: (c, o, i) => c.transfers.retrieveReversal(i.transfer, i.reversal, {}, o) },
  { name: 'POST /v1/transfers/:transfer/reversals/:id', kind: 'target', target: 'transfer', call: (c, o, i) => c.transfers.updateReversal(i.transfer, i.reversal, metadata, o) },
  // Application fees and their refunds.
  { name: 'GET /v1/application_fees/:id (destination charge)', kind: 'target', target: 'destinationFee', call: (c, o, i) => c.applicationFees.retrieve(i.destinationFee, {}, o) },
  { name: 'GET /v1/application_fees/:id (direct charge)', kind: 'target', target: 'directFee', call: (c, o, i) => c.applicationFees.retrieve(i.directFee, {}, o) },
  { name: 'GET /v1/application_fees', kind: 'list', call: (c, o) => c.applicationFees.list(list, o) },
  { name: 'GET /v1/application_fees?charge=', kind: 'target', filter: true, target: 'destinationCharge', call: (c, o, i) => c.applicationFees.list({ charge: i.destinationCharge }, o) },
  { name: 'POST /v1/application_fees/:id/refunds', kind: 'target', target: 'destinationFee', call: (c, o, i) => c.applicationFees.createRefund(i.destinationFee, { amount: 1 }, o) },
  { name: 'POST /v1/application_fees/:id/refunds (direct charge)', kind: 'target', target: 'directFee', call: (c, o, i) => c.applicationFees.createRefund(i.directFee, { amount: 1 }, o) },
  { name: 'GET /v1/application_fees/:id/refunds', kind: 'target', target: 'destinationFee', call: (c, o, i) => c.applicationFees.listRefunds(i.destinationFee, {}, o) },
  { name: 'GET /v1/application_fees/:fee/refunds/:id', kind: 'target', target: 'feeRefund', call: (c, o, i) => c.applicationFees.retrieveRefund(i.destinationFee, i.feeRefund, {}, o) },
  { name: 'POST /v1/application_fees/:fee/refunds/:id', kind: 'target', target: 'destinationFee', call: (c, o, i) => c.applicationFees.updateRefund(i.destinationFee, i.feeRefund, metadata, o) },
  // Balance and balance transactions.
  { name: 'GET /v1/balance', kind: 'header', call: (c, o) => c.balance.retrieve({}, o) },
  { name: 'GET /v1/balance_transactions/:id (the platform\'s)', kind: 'target', target: 'platformTransaction', call: (c, o, i) => c.balanceTransactions.retrieve(i.platformTransaction, {}, o) },
  { name: 'GET /v1/balance_transactions/:id (the seller\'s)', kind: 'target', target: 'sellerTransaction', call: (c, o, i) => c.balanceTransactions.retrieve(i.sellerTransaction, {}, o) },
  { name: 'GET /v1/balance_transactions', kind: 'list', call: (c, o) => c.balanceTransactions.list(list, o) },
  { name: 'GET /v1/balance_transactions?source=', kind: 'target', filter: true, target: 'transfer', call: (c, o, i) => c.balanceTransactions.list({ source: i.transfer } as Stripe.BalanceTransactionListParams, o) },
  // Payment intents, charges and refunds.
  { name: 'POST /v1/payment_intents (transfer_data[destination])', kind: 'target', target: 'seller', call: (c, o, i) => c.paymentIntents.create({ amount: 1_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: i.seller }, application_fee_amount: 100 }, o) },
  { name: 'POST /v1/payment_intents (on_behalf_of)', kind: 'target', target: 'seller', call: (c, o, i) => c.paymentIntents.create({ amount: 1_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, on_behalf_of: i.seller, transfer_data: { destination: i.seller } }, o) },
  { name: 'GET /v1/payment_intents/:id (direct)', kind: 'target', target: 'directIntent', call: (c, o, i) => c.paymentIntents.retrieve(i.directIntent, {}, o) },
  { name: 'GET /v1/payment_intents/:id (destination)', kind: 'target', target: 'destinationIntent', call: (c, o, i) => c.paymentIntents.retrieve(i.destinationIntent, {}, o) },
  { name: 'POST /v1/payment_intents/:id', kind: 'target', target: 'heldIntent', call: (c, o, i) => c.paymentIntents.update(i.heldIntent, { application_fee_amount: 1 }, o) },
  { name: 'POST /v1/payment_intents/:id/capture', kind: 'target', target: 'heldIntent', call: (c, o, i) => c.paymentIntents.capture(i.heldIntent, { application_fee_amount: 1 }, o) },
  { name: 'POST /v1/payment_intents/:id/cancel', kind: 'target', target: 'heldIntent', call: (c, o, i) => c.paymentIntents.cancel(i.heldIntent, {}, o) },
  { name: 'GET /v1/payment_intents', kind: 'list', call: (c, o) => c.paymentIntents.list(list, o) },
  { name: 'GET /v1/charges/:id (direct)', kind: 'target', target: 'directCharge', call: (c, o, i) => c.charges.retrieve(i.directCharge, {}, o) },
  { name: 'GET /v1/charges/:id (destination)', kind: 'target', target: 'destinationCharge', call: (c, o, i) => c.charges.retrieve(i.destinationCharge, {}, o) },
  { name: 'GET /v1/charges', kind: 'list', call: (c, o) => c.charges.list(list, o) },
  { name: 'GET /v1/charges?payment_intent=', kind: 'target', filter: true, target: 'directIntent', call: (c, o, i) => c.charges.list({ payment_intent: i.directIntent }, o) },
  { name: 'GET /v1/charges/:id/refunds', kind: 'target', target: 'directCharge', call: (c, o, i) => c.rawRequest('GET', `/v1/charges/${i.directCharge}/refunds`, {}, o) },
  { name: 'POST /v1/refunds (direct charge, refund_application_fee)', kind: 'target', target: 'directCharge', call: (c, o, i) => c.refunds.create({ charge: i.directCharge, amount: 100, refund_application_fee: true }, o) },
  { name: 'POST /v1/refunds (destination charge, reverse_transfer)', kind: 'target', target: 'destinationCharge', call: (c, o, i) => c.refunds.create({ charge: i.destinationCharge, amount: 100, reverse_transfer: true, refund_application_fee: true }, o) },
  { name: 'GET /v1/refunds/:id', kind: 'target', target: 'directRefund', call: (c, o, i) => c.refunds.retrieve(i.directRefund, {}, o) },
  { name: 'POST /v1/refunds/:id', kind: 'target', target: 'directRefund', call: (c, o, i) => c.refunds.update(i.directRefund, metadata, o) },
  { name: 'GET /v1/refunds', kind: 'list', call: (c, o) => c.refunds.list(list, o) },
  { name: 'GET /v1/refunds?charge=', kind: 'target', filter: true, target: 'directCharge', call: (c, o, i) => c.refunds.list({ charge: i.directCharge }, o) },
  // Payouts.
  { name: 'POST /v1/payouts (destination)', kind: 'target', target: 'sellerBank', call: (c, o, i) => c.payouts.create({ amount: 100, currency: 'usd', destination: i.sellerBank }, o) },
  { name: 'GET /v1/payouts/:id', kind: 'target', target: 'payout', call: (c, o, i) => c.payouts.retrieve(i.payout, {}, o) },
  { name: 'POST /v1/payouts/:id', kind: 'target', target: 'payout', call: (c, o, i) => c.payouts.update(i.payout, metadata, o) },
  { name: 'POST /v1/payouts/:id/cancel', kind: 'target', target: 'payout', call: (c, o, i) => c.payouts.cancel(i.payout, {}, o) },
  { name: 'POST /v1/payouts/:id/reverse', kind: 'target', target: 'payout', call: (c, o, i) => c.payouts.reverse(i.payout, {}, o) },
  { name: 'GET /v1/payouts', kind: 'list', call: (c, o) => c.payouts.list(list, o) },
  // Events and Connect webhook endpoints.
  { name: 'GET /v1/events/:id (the seller\'s)', kind: 'target', target: 'sellerEvent', call: (c, o, i) => c.events.retrieve(i.sellerEvent, {}, o) },
  { name: 'GET /v1/events/:id (the platform\'s)', kind: 'target', target: 'platformEvent', call: (c, o, i) => c.events.retrieve(i.platformEvent, {}, o) },
  { name: 'GET /v1/events', kind: 'list', call: (c, o) => c.events.list(list, o) },
  { name: 'GET /v1/webhook_endpoints/:id (connect)', kind: 'target', target: 'webhookEndpoint', call: (c, o, i) => c.webhookEndpoints.retrieve(i.webhookEndpoint, {}, o) },
  { name: 'POST /v1/webhook_endpoints/:id (connect)', kind: 'target', target: 'webhookEndpoint', call: (c, o, i) => c.webhookEndpoints.update(i.webhookEndpoint, { disabled: true }, o) },
  { name: 'DELETE /v1/webhook_endpoints/:id (connect)', kind: 'target', target: 'webhookEndpoint', call: (c, o, i) => c.webhookEndpoints.del(i.webhookEndpoint, {}, o) },
  { name: 'GET /v1/webhook_endpoints', kind: 'list', call: (c, o) => c.webhookEndpoints.list(list, o) },
];

/** Who calls. `header`: the Stripe-Account the actor names, foreign in itself (the missing twin names a made-up account). */
interface Actor {
  name: string;
  client: () => Client;
  stripeAccount?: () => string;
  /** The actor works in A2's own context (A2's key, or A acting as A2): A2's objects are its own. */
  isA2?: boolean;
  /** The Stripe-Account header is what is foreign: every cell compares against a made-up account in it. */
  foreignHeader?: boolean;
}

/** A made-up id with the same prefix and length as `id`: an object that never existed. */
function madeUp(id: string): string {
  const cut = id.indexOf('_') + 1;
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const bytes = randomBytes(id.length - cut);
  return id.slice(0, cut) + Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

/** What an answer looks like with the foreign (or made-up) id taken out, so two answers compare field by field. */
type Outcome =
  | { ok: true; page: { object: unknown; data: unknown; has_more: unknown } | 'object' }
  | { ok: false; statusCode: number | undefined; type: string; rawType: unknown; code: unknown; param: unknown; declineCode: unknown; message: string; fields: string[]; headerRequestId: boolean };

async function outcomeOf(call: Promise<unknown>, id: string): Promise<Outcome> {
  try {
    const body = await call as { object?: unknown; data?: unknown; has_more?: unknown };
    return { ok: true, page: body.object === 'list' ? { object: body.object, data: body.data, has_more: body.has_more } : 'object' };
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeError)) throw error;
    const raw = error.raw as Record<string, unknown>;
    return {
      ok: false, statusCode: error.statusCode, type: error.type, rawType: error.rawType, code: error.code, param: error.param, declineCode: error.decline_code,
      message: error.message.split(id).join('<id>'), fields: Object.keys(raw).filter((key) => key !== 'headers' && key !== 'requestId' && key !== 'statusCode').sort(),
      headerRequestId: typeof error.requestId === 'string',
    };
  }
}

describe('Connect tenant isolation: every Connect route against every foreign actor', () => {
  let server: TestServer;
  let a: TestAccount;
  let b: TestAccount;
  let ids: Ids;
  /** Every id of A's world (objects, balance transactions, events) but A2's own, which no foreign list may show. */
  const idsOfA = new Set<string>();
  /** A2's own objects: foreign to platform B, not to A2 itself. */
  const idsOfA2 = new Set<string>();
  let a1: Stripe.Account;
  let a2: Stripe.Account;
  let b1: Stripe.Account;
  let b2: Stripe.Account;
  let deleted: Stripe.Account;
  let a1Key: Client;
  let a2Key: Client;
  let restrictedB: Client;
  let snapshot: unknown;
  let cellsChecked = 0;
  let expectedCells = 0;

  /** Makes what was charged available: the settlement delay elapsed. */
  async function release(): Promise<void> {
    server.clock.advance(3 * 86_400);
    await releaseAvailableFunds(server.deps);
  }

  /** A platform with two onboarded sellers, money on both sides and one of every Connect object. */
  async function world(platform: TestAccount) {
    const stripe = platform.stripe;
    const seller = await onboardedSeller(stripe);
    const sibling = await onboardedSeller(stripe, { email: 'sibling@example.com' });
    const asSeller = { stripeAccount: seller.id };
    const platformIntent = await stripe.paymentIntents.create({ amount: 50_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const directIntent = await stripe.paymentIntents.create({ amount: 20_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, application_fee_amount: 700 }, asSeller);
    await stripe.paymentIntents.create({ amount: 5_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { stripeAccount: sibling.id });
    await release();
    const transfer = await stripe.transfers.create({ amount: 3_000, currency: 'usd', destination: seller.id, transfer_group: 'ORDER_ISO' });
    const reversal = await stripe.transfers.createReversal(transfer.id, { amount: 500 });
    const destinationIntent = await stripe.paymentIntents.create({
      amount: 10_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: seller.id }, application_fee_amount: 1_000, on_behalf_of: seller.id,
    });
    const destinationCharge = await stripe.charges.retrieve(destinationIntent.latest_charge as string);
    const feeRefund = await stripe.applicationFees.createRefund(destinationCharge.application_fee as string, { amount: 200 });
    const directCharge = await stripe.charges.retrieve(directIntent.latest_charge as string, {}, asSeller);
    const directRefund = await stripe.refunds.create({ charge: directCharge.id, amount: 1_000, refund_application_fee: true }, asSeller);
    const heldIntent = await stripe.paymentIntents.create({ amount: 4_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual', application_fee_amount: 100 }, asSeller);
    assert.equal(heldIntent.status, 'requires_capture');
    const sellerBank = (await stripe.accounts.listExternalAccounts(seller.id, {})).data[0].id;
    const payout = await stripe.payouts.create({ amount: 1_000, currency: 'usd', destination: sellerBank }, asSeller);
    await stripe.accountLinks.create({ account: seller.id, type: 'account_onboarding', refresh_url: 'https://platform.example/refresh', return_url: 'https://platform.example/return' });
    const webhookEndpoint = await stripe.webhookEndpoints.create({ url: 'https://platform.example/connect-hooks', enabled_events: ['*'], connect: true });
    const sellerTransaction = (await stripe.balanceTransactions.list({ type: 'payment' }, asSeller)).data[0].id;
    const sellerEvent = (await stripe.events.list({ limit: 1 }, asSeller)).data[0].id;
    const platformEvent = (await stripe.events.list({ type: 'application_fee.created', limit: 1 })).data[0].id;
    const sellerPerson = (await stripe.accounts.createPerson(seller.id, { first_name: 'Owner', relationship: { owner: true }, id_number: '000000000' })).id;
    const worldIds: Omit<Ids, 'otherSeller'> = {
      platform: platform.accountId, seller: seller.id, sellerBank, transfer: transfer.id, reversal: reversal.id, platformCharge: platformIntent.latest_charge as string,
      destinationIntent: destinationIntent.id, destinationCharge: destinationCharge.id, destinationFee: destinationCharge.application_fee as string, feeRefund: feeRefund.id,
      directIntent: directIntent.id, directCharge: directCharge.id, directFee: directCharge.application_fee as string, directRefund: directRefund.id, heldIntent: heldIntent.id,
      payout: payout.id, platformTransaction: transfer.balance_transaction as string, sellerTransaction, webhookEndpoint: webhookEndpoint.id, sellerEvent, platformEvent, sellerPerson,
    };
    return { seller, sibling, ids: worldIds };
  }

  /** Every balance, the money tables' row counts and A's objects as their owners see them: must not change. */
  async function state(): Promise<unknown> {
    const balances: Record<string, unknown> = {};
    for (const [platform, accountId] of [[a, undefined], [b, undefined], [a, a1.id], [a, a2.id], [b, b1.id], [b, b2.id]] as const) {
      const balance = await platform.stripe.balance.retrieve({}, accountId ? { stripeAccount: accountId } : {});
      balances[accountId ?? platform.accountId] = { available: balance.available, pending: balance.pending };
    }
    const counts: Record<string, string> = {};
    for (const table of ['accounts', 'connected_accounts', 'transfers', 'transfer_reversals', 'application_fees', 'application_fee_refunds', 'refunds', 'payouts', 'payment_intents', 'charges', 'external_accounts', 'account_links', 'webhook_endpoints', 'connect_persons', 'ledger_entries', 'balance_transactions', 'api_keys']) {
      counts[table] = (await server.db.query<{ count: string }>(`SELECT count(*) FROM ${table}`)).rows[0].count;
    }
    const asA1 = { stripeAccount: a1.id };
    const objects = {
      seller: await a.stripe.accounts.retrieve(a1.id), sibling: await a.stripe.accounts.retrieve(a2.id), platform: await a.stripe.accounts.retrieve(a.accountId),
      bank: await a.stripe.accounts.retrieveExternalAccount(a1.id, ids.sellerBank), transfer: await a.stripe.transfers.retrieve(ids.transfer),
      destinationFee: await a.stripe.applicationFees.retrieve(ids.destinationFee), directFee: await a.stripe.applicationFees.retrieve(ids.directFee),
      destinationIntent: await a.stripe.paymentIntents.retrieve(ids.destinationIntent), destinationCharge: await a.stripe.charges.retrieve(ids.destinationCharge),
      heldIntent: await a.stripe.paymentIntents.retrieve(ids.heldIntent, {}, asA1), directCharge: await a.stripe.charges.retrieve(ids.directCharge, {}, asA1),
      directRefund: await a.stripe.refunds.retrieve(ids.directRefund, {}, asA1), payout: await a.stripe.payouts.retrieve(ids.payout, {}, asA1),
      webhookEndpoint: await a.stripe.webhookEndpoints.retrieve(ids.webhookEndpoint),
      person: await a.stripe.accounts.retrievePerson(a1.id, ids.sellerPerson),
    };
    return { balances, counts, objects };
  }

  before(async () => {
    server = await startTestServer();
    a = server.account;
    b = await server.createAccount('Platform B');
    const worldA = await world(a);
    const worldB = await world(b);
    a1 = worldA.seller;
    a2 = worldA.sibling;
    b1 = worldB.seller;
    b2 = worldB.sibling;
    ids = { ...worldA.ids, otherSeller: b1.id };
    deleted = await a.stripe.accounts.create({ type: 'custom', country: 'US', capabilities: { transfers: { requested: true } } });
    await a.stripe.accounts.del(deleted.id);
    // A connected account's own keys (a Standard account has its own dashboard and keys).
    a1Key = server.stripeFor((await issueKeys(server.db, a1.id, false)).secretKey);
    a2Key = server.stripeFor((await issueKeys(server.db, a2.id, false)).secretKey);
    const everything = Object.fromEntries(permissionResources.map((resource) => [resource, 'write']));
    const issued = await b.stripe.rawRequest('POST', '/v1/payrail/api_keys', { type: 'restricted', name: 'B, everything', permissions: everything }) as unknown as { secret: string };
    restrictedB = server.stripeFor(issued.secret);

    for (const id of Object.values(worldA.ids)) idsOfA.add(id);
    for (const [accountId, into] of [[undefined, idsOfA], [a1.id, idsOfA], [a2.id, idsOfA2]] as const) {
      const options = accountId ? { stripeAccount: accountId } : {};
      for (const item of (await a.stripe.balanceTransactions.list(list, options)).data) into.add(item.id);
      for (const item of (await a.stripe.events.list(list, options)).data) into.add(item.id);
      for (const item of (await a.stripe.paymentIntents.list(list, options)).data) into.add(item.id);
      for (const item of (await a.stripe.charges.list(list, options)).data) into.add(item.id);
      for (const item of (await a.stripe.refunds.list(list, options)).data) into.add(item.id);
      for (const item of (await a.stripe.payouts.list(list, options)).data) into.add(item.id);
      for (const item of (await a.stripe.webhookEndpoints.list(list, options)).data) into.add(item.id);
    }
    for (const item of (await a.stripe.transfers.list(list)).data) idsOfA.add(item.id);
    for (const item of (await a.stripe.applicationFees.list(list)).data) idsOfA.add(item.id);
    idsOfA.add(a1.id).add(deleted.id);
    idsOfA2.add(a2.id);
    snapshot = await state();
  });

  after(async () => {
    console.log(`connect isolation: ${cellsChecked} cells checked (${expectedCells} in the table)`);
    await server?.close();
  });

  const actors: Actor[] = [
    { name: 'platform B (secret key)', client: () => b.stripe },
    { name: 'platform B (restricted key, write on every resource)', client: () => restrictedB },
    { name: 'platform B as its own connected account B1', client: () => b.stripe, stripeAccount: () => b1.id },
    { name: 'platform B with Stripe-Account of A1', client: () => b.stripe, stripeAccount: () => a1.id, foreignHeader: true },
    { name: 'platform B with Stripe-Account of platform A', client: () => b.stripe, stripeAccount: () => a.accountId, foreignHeader: true },
    { name: 'platform B restricted key with Stripe-Account of A1', client: () => restrictedB, stripeAccount: () => a1.id, foreignHeader: true },
    { name: 'A2\'s own key (a sibling of A1, on its platform A)', client: () => a2Key, isA2: true },
    { name: 'A2\'s own key with Stripe-Account of A1 (its sibling)', client: () => a2Key, stripeAccount: () => a1.id, foreignHeader: true },
    { name: 'A2\'s own key with Stripe-Account of its platform A', client: () => a2Key, stripeAccount: () => a.accountId, foreignHeader: true },
    { name: 'A1\'s own key with Stripe-Account of its platform A', client: () => a1Key, stripeAccount: () => a.accountId, foreignHeader: true },
    { name: 'platform A as A2 (Stripe-Account of A1\'s sibling)', client: () => a.stripe, stripeAccount: () => a2.id, isA2: true },
    { name: 'platform A with Stripe-Account of its deleted account', client: () => a.stripe, stripeAccount: () => deleted.id, foreignHeader: true },
  ];

  /** Requests refused before any id is looked up: a connected account's request (Stripe-Account) names no transfer_data. */
  const refusedBeforeLookup = (route: Route, actor: Actor) => route.name.startsWith('POST /v1/payment_intents (') && actor.stripeAccount !== undefined && !actor.foreignHeader;

  /**
   * Cells whose failure is a known isolation bug not fixed here: `cell name -> what is wrong`. They run as `todo`
   * (reported, not failing the run) until fixed; an empty map means every cell passes.
   */
  const knownBugs = new Map<string, string>([]);

  for (const route of routes) {
    for (const actor of actors) {
      // A route with nothing foreign in it (the caller's own balance) is foreign only through the header.
      if (route.kind === 'header' && !actor.foreignHeader) continue;
      const name = `${route.name} | ${actor.name}`;
      expectedCells += 1;
      it(name, { todo: knownBugs.get(name) }, async () => {
        const client = actor.client();
        const header = actor.stripeAccount?.();
        const options: Options = header ? { stripeAccount: header } : {};
        if (route.kind === 'list' && !actor.foreignHeader) {
          // A list as the actor sees it: nothing of A's. A refusal is fine too, if it is a Stripe 4xx naming nothing of A.
          try {
            const page = await route.call(client, options, ids) as { data: Array<{ id: string }> };
            const leaked = page.data.map((item) => item.id).filter((id) => idsOfA.has(id) || (!actor.isA2 && idsOfA2.has(id)));
            assert.deepEqual(leaked, [], 'the list shows foreign objects');
          } catch (error) {
            const stripeError = await stripeErrorOf(Promise.reject(error));
            assert.ok(stripeError.statusCode! >= 400 && stripeError.statusCode! < 500, `a list refused with ${stripeError.statusCode}: ${stripeError.message}`);
            for (const id of idsOfA) assert.ok(!stripeError.message.includes(id), 'the refusal names a foreign id');
          }
          cellsChecked += 1;
          return;
        }
        // The twin request: the same call with the foreign thing (the header's account, or the target id) made up.
        const foreignId = actor.foreignHeader ? header! : ids[route.target!];
        const missingId = madeUp(foreignId);
        const missingOptions: Options = actor.foreignHeader ? { stripeAccount: missingId } : options;
        const missingIds: Ids = actor.foreignHeader ? ids : { ...ids, [route.target!]: missingId };
        const foreign = await outcomeOf(route.call(client, options, ids), foreignId);
        const missing = await outcomeOf(route.call(client, missingOptions, missingIds), missingId);
        if (!route.filter) assert.equal(foreign.ok, false, 'a foreign object was acted on');
        // The twin must be refused for its missing id (not for a parameter checked before any lookup), or the cell
        // would prove nothing; the few requests refused before any lookup are named.
        if (!route.filter && !refusedBeforeLookup(route, actor)) assert.ok(!missing.ok && ['resource_missing', 'account_invalid'].includes(String(missing.code)), `the made-up id is answered ${JSON.stringify(missing)}`);
        assert.deepEqual(foreign, missing, 'the foreign id is answered differently from a missing one');
        if (!foreign.ok) assert.ok(foreign.statusCode! >= 400 && foreign.statusCode! < 500, `expected a 4xx, got ${foreign.statusCode}`);
        cellsChecked += 1;
      });
    }
  }

  it('the table\'s reads answer their owner: platform A, or A acting as A1, reads each object the cells aim at', async () => {
    for (const route of routes.filter((candidate) => candidate.kind === 'target' && candidate.name.startsWith('GET ') && !candidate.name.includes('under B1'))) {
      const answers = await Promise.all([outcomeOf(route.call(a.stripe, {}, ids), ''), outcomeOf(route.call(a.stripe, { stripeAccount: a1.id }, ids), '')]);
      assert.ok(answers.some((answer) => answer.ok), `${route.name}: its owner cannot read it either (${JSON.stringify(answers)})`);
    }
  });

  it('nothing moved: every balance, every money table and A\'s objects are as before the foreign attempts; the ledger verifies', async () => {
    assert.deepEqual(await state(), snapshot);
    await expectLedgerClean(server.db);
  });

  it('a connected account lists no siblings and the platform\'s lists show no other platform\'s objects', async () => {
    const siblings = [a1.id, a2.id, deleted.id];
    for (const [client, options] of [[a1Key, {}], [a2Key, {}], [a.stripe, { stripeAccount: a1.id }], [a.stripe, { stripeAccount: a2.id }]] as const) {
      const outcome = await outcomeOf(client.accounts.list(list, options), '');
      if (outcome.ok) {
        const page = await client.accounts.list(list, options);
        assert.deepEqual(page.data.filter((account) => siblings.includes(account.id)), []);
      } else {
        assert.ok(outcome.statusCode! >= 400 && outcome.statusCode! < 500);
      }
    }
    const listedByB = (await b.stripe.accounts.list(list)).data.map((account) => account.id);
    assert.deepEqual(listedByB.sort(), [b1.id, b2.id].sort());
    const listedByA = (await a.stripe.accounts.list(list)).data.map((account) => account.id);
    assert.ok(listedByA.includes(a1.id) && listedByA.includes(a2.id));
    assert.ok(!listedByA.includes(b1.id) && !listedByA.includes(b2.id) && !listedByA.includes(deleted.id));
    assert.ok(cellsChecked + knownBugs.size >= expectedCells, `every cell ran (${cellsChecked} of ${expectedCells})`);
  });
});

describe('Connect tenant isolation: a rejected connected account', () => {
  let server: TestServer;
  let platform: TestAccount;
  let rejected: Stripe.Account;

  before(async () => {
    server = await startTestServer();
    platform = server.account;
    rejected = await onboardedSeller(platform.stripe);
    await platform.stripe.paymentIntents.create({ amount: 50_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await platform.stripe.paymentIntents.create({ amount: 5_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { stripeAccount: rejected.id });
    server.clock.advance(3 * 86_400);
    await releaseAvailableFunds(server.deps);
    const answer = await platform.stripe.accounts.reject(rejected.id, { reason: 'fraud' });
    assert.equal(answer.requirements?.disabled_reason, 'rejected.fraud');
  });
  after(async () => {
    await server?.close();
  });

  const asRejected = () => ({ stripeAccount: rejected.id });
  /**
   * Known bugs, run as `todo` until fixed (none now: a rejected account's capabilities are inactive, so its direct
   * charges are refused by the capability check, docs/connect.md "Capabilities on charges").
   */
  const rejectedBugs: Record<string, string> = {};
  const moneyRequests: Array<[string, () => Promise<unknown>]> = [
    ['a direct charge made with Stripe-Account of the rejected account', () => platform.stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, asRejected())],
    ['a direct charge with an application fee made with Stripe-Account of the rejected account', () => platform.stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, application_fee_amount: 100 }, asRejected())],
    ['a payout made with Stripe-Account of the rejected account', () => platform.stripe.payouts.create({ amount: 100, currency: 'usd' }, asRejected())],
    ['a transfer to the rejected account', () => platform.stripe.transfers.create({ amount: 100, currency: 'usd', destination: rejected.id })],
    ['a destination charge to the rejected account', () => platform.stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: rejected.id } })],
  ];

  for (const [name, request] of moneyRequests) {
    it(`refuses ${name} with a Stripe-shaped 4xx, nothing moved`, { todo: rejectedBugs[name] }, async () => {
      const balances = async () => [await platform.stripe.balance.retrieve(), await platform.stripe.balance.retrieve({}, asRejected())];
      const counts = async () => (await server.db.query('SELECT (SELECT count(*) FROM payment_intents) AS intents, (SELECT count(*) FROM charges) AS charges, (SELECT count(*) FROM payouts) AS payouts, (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM ledger_entries) AS entries')).rows[0];
      const before = [await balances(), await counts()];
      const error = await stripeErrorOf(request());
      assert.ok(error.statusCode! >= 400 && error.statusCode! < 500, `a 4xx, got ${error.statusCode}: ${error.message}`);
      assert.equal(typeof error.rawType, 'string');
      assert.ok(error.message.length > 0);
      assert.deepEqual([await balances(), await counts()], before, 'nothing moved');
      if (name.startsWith('a payout')) assert.equal(error.code, 'payouts_not_allowed');
    });
  }
});
