import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChargeSettlement } from '../ledger/settlement.ts';
import { buildConnectCapture, movesConnectMoney, type IntentConnect } from './connect-charge.ts';

// The pure builder of a Connect charge's capture: every entry balances, connect_clearing sums to zero, and the amounts
// follow Stripe's destination and direct charges. No database.

const scope = { accountId: 'acct_platform', livemode: false };
const settlement: ChargeSettlement = { currency: 'usd', amount: 10_000, settlementCurrency: 'usd', settlementAmount: 10_000, exchangeRate: null, fee: 320, feeDetails: [], availableOn: 1_800_000_000 };
const destination: IntentConnect = { kind: 'destination', platform: 'acct_platform', destination: 'acct_seller', transfer_amount: null, application_fee_amount: 1_000, on_behalf_of: null, transfer_group: null };

function clearingSum(postings: { kind: string; amount: number | bigint }[]): number {
  return postings.filter((posting) => posting.kind === 'connect_clearing').reduce((sum, posting) => sum + Number(posting.amount), 0);
}

describe('buildConnectCapture', () => {
  it('a destination charge with a fee: the full amount transferred, the fee back to the platform; balanced, clearing at zero', () => {
    const built = buildConnectCapture(scope, 'pi_1', 'ch_1', destination, 10_000, settlement, 1_700_000_000);
    assert.equal(built.rows.transfer?.amount, 10_000);
    assert.equal(built.rows.applicationFee?.amount, 1_000);
    assert.equal(built.transferGroup, 'group_pi_1');
    const postings = built.movement.entries.flatMap((entry) => entry.postings);
    for (const entry of built.movement.entries) assert.equal(entry.postings.reduce((sum, posting) => sum + Number(posting.amount), 0), 0, `${entry.type} balances`);
    assert.equal(clearingSum(postings), 0);
    assert.deepEqual(built.movement.balanceTransactions.map((transaction) => [transaction.type, transaction.amount, transaction.net]), [['transfer', -10_000, -10_000], ['payment', 10_000, 9_000], ['application_fee', 1_000, 1_000]]);
    assert.deepEqual(built.rows.platformEvents.events.map((event) => event.type), ['transfer.created', 'application_fee.created']);
  });

  it('transfer_data[amount]: that amount, no fee; a partial capture transfers at most what was captured', () => {
    const built = buildConnectCapture(scope, 'pi_2', 'ch_2', { ...destination, application_fee_amount: null, transfer_amount: 8_000 }, 5_000, settlement, 1_700_000_000);
    assert.equal(built.rows.transfer?.amount, 5_000);
    assert.equal(built.rows.applicationFee, null);
    assert.equal(built.charge.application_fee, null);
  });

  it('a direct charge: the connected account pays its platform the fee', () => {
    const direct: IntentConnect = { kind: 'direct', platform: 'acct_platform', destination: null, transfer_amount: null, application_fee_amount: 700, on_behalf_of: null, transfer_group: null };
    const built = buildConnectCapture({ accountId: 'acct_seller', livemode: false }, 'pi_3', 'ch_3', direct, 10_000, settlement, 1_700_000_000);
    assert.equal(built.rows.transfer, null);
    assert.equal(built.rows.applicationFee?.account_id, 'acct_platform');
    assert.equal(built.rows.applicationFee?.connected_account_id, 'acct_seller');
    assert.equal(clearingSum(built.movement.entries.flatMap((entry) => entry.postings)), 0);
    assert.deepEqual(built.rows.platformEvents.scope, { accountId: 'acct_platform', livemode: false });
  });

  it('an intent without Connect parameters (or with only a transfer group) moves nothing', () => {
    assert.equal(movesConnectMoney(null), false);
    assert.equal(movesConnectMoney(undefined), false);
    assert.equal(movesConnectMoney({ ...destination, kind: 'none', destination: null, application_fee_amount: null, transfer_group: 'ORDER_1' }), false);
    assert.equal(movesConnectMoney({ ...destination, kind: 'direct', destination: null, application_fee_amount: 0 }), false);
  });
});
