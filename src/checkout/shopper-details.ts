import type { Dependencies } from '../dependencies.ts';
import { insertCustomer } from '../customers/repository.ts';
import { renderCustomer } from '../customers/render.ts';
import { recordEvent } from '../events/service.ts';
import { inTransaction } from '../platform/db.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { Scope } from '../platform/scope.ts';
import type { CardInput } from '../payment-methods/service.ts';
import type { LocalPayment } from './local-method-fields.ts';
import { findCheckoutSession, setSessionDetails, type Address, type CheckoutSessionRow, type CustomerDetails, type ShippingDetails } from './repository.ts';

/** What the shopper typed on the hosted page (checked by the page before it gets here). */
export interface CheckoutForm {
  /** `card`, `paypal`, or a local method type (src/payment-methods/method-types.ts). */
  method: string;
  email: string | null;
  name: string | null;
  /** The card, for `method: 'card'`. */
  card: Required<CardInput> | null;
  /** A local method's PaymentMethod data and confirmation options (local-method-fields.ts). */
  local?: LocalPayment | null;
  /** Where the shopper is, for a mandate's online acceptance (SEPA): their IP address and browser. */
  client?: { ipAddress: string; userAgent: string };
  address: Address | null;
  phone: string | null;
  shipping: ShippingDetails | null;
}

export const scopeOf = (session: CheckoutSessionRow): Scope => ({ accountId: session.account_id, livemode: session.livemode });

/**
 * Records what the shopper entered on the session, and with customer_creation=always makes the customer, while the
 * session is locked (once). Answers the session as it now is (with its customer); a session no longer open (or past
 * its expiry) is answered as it is, unchanged.
 */
export async function recordShopperDetails(deps: Pick<Dependencies, 'db'>, session: CheckoutSessionRow, form: CheckoutForm): Promise<CheckoutSessionRow> {
  const scope = scopeOf(session);
  const details: CustomerDetails = { email: form.email, name: form.name, phone: form.phone, address: form.address };
  return inTransaction(deps.db, async (client) => {
    const locked = await findCheckoutSession(client, scope, session.id, { forUpdate: true });
    if (!locked || locked.status !== 'open' || locked.expires_at <= nowSeconds()) return locked ?? session;
    let customerId = locked.customer_id;
    if (customerId === null && locked.customer_creation === 'always') {
      customerId = newId('cus');
      const customer = await insertCustomer(client, scope, customerId, {
        email: form.email, name: form.name, phone: form.phone, description: null, address: form.address,
        shipping: form.shipping === null ? null : { name: form.shipping.name, address: form.shipping.address, phone: null }, metadata: {}, invoice_settings: {},
      }, nowSeconds());
      await recordEvent(client, scope, undefined, 'customer.created', renderCustomer(customer));
    }
    await setSessionDetails(client, locked.id, customerId, details, form.shipping);
    return { ...locked, customer_id: customerId };
  });
}
