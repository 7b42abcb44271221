import { findAccount } from '../accounts/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { findCheckoutSessionById, lineItemsOf, type CheckoutSessionRow, type LineItemRow } from './repository.ts';

/** What the hosted page shows: the session, whom the shopper pays (the account's name) and what they buy. */
export interface CheckoutPageView {
  session: CheckoutSessionRow;
  merchantName: string;
  items: LineItemRow[];
}

/** A session's page by its id (the page's address is the only thing the shopper has); undefined for an unknown one. */
export async function checkoutPageView(db: Queryable, sessionId: string): Promise<CheckoutPageView | undefined> {
  const session = await findCheckoutSessionById(db, sessionId);
  if (!session) return undefined;
  const [account, items] = await Promise.all([findAccount(db, session.account_id), lineItemsOf(db, session.id)]);
  return { session, merchantName: account?.name ?? 'Payrail merchant', items };
}
