import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Dependencies } from '../../dependencies.ts';
import { findMandateForPage } from '../../mandates/repository.ts';
import { mandatePageToken } from '../../mandates/page-url.ts';
import { findPaymentMethod } from '../../payment-methods/repository.ts';
import { escapeHtml, page } from '../html.ts';

/**
 * A mandate's hosted page (`/payrail/mandates/:id/:token`, the Mandate's `payment_method_details.sepa_debit.url`):
 * the SEPA Direct Debit mandate the customer accepted, its reference (which the pre-notification of each debit
 * quotes), the account's last four digits (never the IBAN), and the customer's rights.
 */

const mandateIdPattern = /^mandate_[0-9A-Za-z]{24}$/;

function tokenMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function date(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

export function registerMandatePage(app: FastifyInstance, deps: Dependencies): void {
  app.get<{ Params: { id: string; token: string } }>('/payrail/mandates/:id/:token', async (request, reply) => {
    const { id, token } = request.params;
    const mandate = mandateIdPattern.test(id) && tokenMatches(mandatePageToken(deps.secretBox, id), token) ? await findMandateForPage(deps.db, id) : undefined;
    if (!mandate) return reply.status(404).type('text/html').send(page('Not found', '<h1>Mandate not found</h1><p>This link is not valid.</p>'));
    const paymentMethod = await findPaymentMethod(deps.db, { accountId: mandate.account_id, livemode: mandate.livemode }, mandate.payment_method_id);
    const wallet = paymentMethod && paymentMethod.type === 'sepa_debit' ? paymentMethod.wallet : {};
    const holder = paymentMethod?.billing_details.name ?? '';
    const usage = mandate.type === 'multi_use' ? 'recurring payments' : 'a one-off payment';
    return reply.type('text/html').send(page('SEPA Direct Debit mandate', `<h1>SEPA Direct Debit mandate</h1>
<dl>
<dt>Mandate reference</dt><dd>${escapeHtml(mandate.reference)}</dd>
<dt>Account holder</dt><dd>${escapeHtml(holder)}</dd>
<dt>Account</dt><dd>${escapeHtml(String(wallet.country ?? ''))} ···· ${escapeHtml(String(wallet.last4 ?? ''))}</dd>
<dt>Type</dt><dd>${escapeHtml(usage)}</dd>
<dt>Accepted</dt><dd>${escapeHtml(date(mandate.customer_acceptance.accepted_at))} (${escapeHtml(mandate.customer_acceptance.type)})</dd>
<dt>Status</dt><dd>${escapeHtml(mandate.status)}</dd>
</dl>
<p>By accepting this mandate, the account holder authorized the creditor to send instructions to their bank to debit
the account, and the bank to debit it accordingly. Each debit is announced beforehand with this reference and the
debit date. The account holder may ask their bank for a refund within 8 weeks of the debit date, under the terms
agreed with their bank.</p>`));
  });
}
