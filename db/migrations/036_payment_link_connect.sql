-- A Payment Link's Connect parameters (src/payment-links/link-connect.ts): application_fee_amount, transfer_data
-- (destination, amount), on_behalf_of, and for a link made with the Stripe-Account header (a direct charge) the
-- platform that collects the fee. Null for an ordinary link. Its payment_intent_data[transfer_group] lives in
-- payment_intent_data, with the other fields passed to the link's PaymentIntents.
ALTER TABLE payment_links ADD COLUMN connect jsonb;
