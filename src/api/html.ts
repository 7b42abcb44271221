/** Minimal HTML for the few pages Payrail shows customers (3-D Secure test page, redirect hand-offs). */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#1a1f36}
.card{border:1px solid #e3e8ee;border-radius:8px;padding:1.5rem}button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem;border-radius:6px;border:1px solid #aab}
.complete{background:#0a7d39;color:#fff;border-color:#0a7d39}.fail{background:#fff;color:#b3093c}</style></head>
<body><div class="card">${body}</div></body></html>`;
}

/**
 * The policy of every customer-facing page: nothing loads but inline styles, forms post only to Payrail, no other
 * site may frame the page (clickjacking a 3-D Secure button), and the page's address (which names the payment) is
 * never sent on as a referrer.
 */
export const pageContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Security headers of customer-facing pages; a page may narrow or widen the CSP afterwards (the redirect page's form target). */
export function setPageHeaders(reply: { header(name: string, value: string): unknown }): void {
  reply.header('Content-Security-Policy', pageContentSecurityPolicy);
  reply.header('X-Frame-Options', 'DENY');
  reply.header('Referrer-Policy', 'no-referrer');
  reply.header('Cache-Control', 'no-store');
}
