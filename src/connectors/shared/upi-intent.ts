import type { AuthorizeOutput, DisplayDetails } from '../connector.ts';

/**
 * A UPI intent waiting for the payer, as Stripe's newer `next_action.upi_handle_redirect_or_display_qr_code` shows it:
 * `hosted_instructions_url`, Payrail's https page of the attempt (`/payrail/upi/:attempt`: the QR code, the
 * `upi://pay` link that opens the payer's UPI app on a phone, and on the test processor's attempts buttons to approve
 * or fail), and `qr_code` (`image_url_png`, `image_url_svg`, drawn by Payrail from the `upi://pay` link; `expires_at`
 * added when the intent is written). The link itself rides on the attempt as its redirect (`nextAction`, a GET the
 * page offers), so the Razorpay connector and the test processor look the same to the merchant.
 */
export function upiIntentWaiting(link: string, pageUrl: string, expiresAfterSeconds: number, processorReference: string): Extract<AuthorizeOutput, { status: 'requires_authentication' }> {
  const display: DisplayDetails = {
    type: 'upi_handle_redirect_or_display_qr_code',
    details: { hosted_instructions_url: pageUrl, qr_code: { image_url_png: `${pageUrl}/qr.png`, image_url_svg: `${pageUrl}/qr.svg` } },
    expires: { afterSeconds: expiresAfterSeconds },
  };
  return { status: 'requires_authentication', processorReference, display, nextAction: { type: 'redirect_to_url', url: link, method: 'GET', data: {} } };
}

/** Where Payrail serves an attempt's UPI intent page (src/api/routes/upi-intent-page.ts). */
export function upiIntentPageUrl(publicUrl: string, attemptId: string): string {
  return `${publicUrl}/payrail/upi/${encodeURIComponent(attemptId)}`;
}
