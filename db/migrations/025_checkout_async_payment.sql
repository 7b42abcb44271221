-- Checkout Sessions paid with a delayed-notification method (Stripe's term: the payment's outcome arrives after the
-- shopper has left, e.g. a PayPal eCheck whose capture stays PENDING for days, SEPA Direct Debit later): the session
-- completes with payment_status 'unpaid' while the payment is processing, and later answers
-- checkout.session.async_payment_succeeded or _failed once. async_payment records where that stands: 'pending' until
-- the payment ends, then 'succeeded' or 'failed'; null for every other session.
ALTER TABLE checkout_sessions
  ADD COLUMN async_payment text CHECK (async_payment IN ('pending', 'succeeded', 'failed')),
  ADD CONSTRAINT checkout_sessions_async_payment_complete CHECK (async_payment IS NULL OR status = 'complete');
CREATE INDEX checkout_sessions_async_pending ON checkout_sessions (seq) WHERE async_payment = 'pending';
