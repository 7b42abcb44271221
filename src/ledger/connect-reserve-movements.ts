import { newId } from '../platform/ids.ts';
import { credit, debit } from './accounts.ts';
import { connectMovement } from './connect-movements.ts';
import { buildEntry } from './entries.ts';
import type { Movement } from './movements.ts';

// A Connect platform's reserve (Stripe's `connect_reserved` balance): the platform bears the losses of its Custom and
// Express accounts, so while one of them has a negative available balance, as much of the platform's own balance is
// held in reserve; it is released when the account is back at zero or above. A negative balance that lasts 180 days
// is cleared from the reserve: the platform's funds go to the account. src/connect/reserves.ts decides the amounts.

interface Owner {
  accountId: string;
  livemode: boolean;
}

/**
 * Holds (`amount` > 0) or releases (`amount` < 0) a platform's funds in its reserve: one entry between its available
 * balance and `merchant_connect_reserved`, with a `reserve_transaction` balance transaction (negative when held).
 */
export function reserveMovement(platform: Owner, currency: string, amount: number, now: number): Movement {
  const transactionId = newId('txn');
  const held = Math.abs(amount);
  const postings = amount > 0
    ? [debit(platform.accountId, 'merchant_available', currency, held), credit(platform.accountId, 'merchant_connect_reserved', currency, held)]
    : [debit(platform.accountId, 'merchant_connect_reserved', currency, held), credit(platform.accountId, 'merchant_available', currency, held)];
  return {
    entries: [buildEntry({ accountId: platform.accountId, livemode: platform.livemode, type: 'reserve_transaction', sourceId: null, balanceTransactionId: transactionId, created: now, postings })],
    balanceTransactions: [{
      id: transactionId, account_id: platform.accountId, livemode: platform.livemode, type: 'reserve_transaction', reporting_category: 'connect_reserved_funds', source_id: null,
      amount: -amount, fee: 0, fee_details: [], net: -amount, currency, exchange_rate: null, status: 'available', available_on: now,
      description: amount > 0 ? 'Funds held against connected accounts\' negative balances' : 'Funds released from the Connect reserve', payout_id: null, created: now,
    }],
  };
}

/**
 * The platform clears a connected account's negative balance (`amount`, positive): its available funds go to the
 * account's available balance, a `connect_collection_transfer` on each side. The caller releases as much from the
 * reserve in the same statement, so the platform's available balance moves by the amount once, net.
 */
export function collectionTransfer(platform: Owner, account: Owner, currency: string, amount: number, now: number): Movement {
  const side = (owner: Owner, description: string) => ({
    ...owner, entryType: 'connect_collection_transfer' as const, transactionType: 'connect_collection_transfer' as const, reportingCategory: 'connect_collection_transfer', sourceId: null, description,
  });
  return connectMovement({
    from: side(platform, `Negative balance of ${account.accountId} cleared`),
    to: side(account, 'Negative balance cleared by the platform'),
    amount, currency, status: 'available', availableOn: now, now,
  });
}
