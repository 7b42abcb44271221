import { brandImageOf, type BrandImage } from '../accounts/branding.ts';
import { findAccount } from '../accounts/repository.ts';
import { findAccountSettings } from '../accounts/settings-repository.ts';
import type { Queryable } from '../platform/db.ts';
import { findCheckoutSessionById, lineItemsOf, type CheckoutSessionRow, type LineItemRow } from './repository.ts';

/** What the hosted page shows: the session, whom the shopper pays (the account's name) and what they buy. */
export interface CheckoutPageView {
  session: CheckoutSessionRow;
  merchantName: string;
  items: LineItemRow[];
  /** The account's branding colours (`#rrggbb`), null for Payrail's own, and its logo or icon (null: its name). */
  branding: { primaryColor: string | null; secondaryColor: string | null; image: BrandImage | null };
}

/** A session's page by its id (the page's address is the only thing the shopper has); undefined for an unknown one. */
export async function checkoutPageView(db: Queryable, sessionId: string): Promise<CheckoutPageView | undefined> {
  const session = await findCheckoutSessionById(db, sessionId);
  if (!session) return undefined;
  const [account, items, settings] = await Promise.all([findAccount(db, session.account_id), lineItemsOf(db, session.id), findAccountSettings(db, session.account_id)]);
  return {
    session,
    merchantName: account?.name ?? 'Payrail merchant',
    items,
    branding: { primaryColor: settings.branding_primary_color, secondaryColor: settings.branding_secondary_color, image: brandImageOf(settings) },
  };
}
