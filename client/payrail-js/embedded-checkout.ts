/**
 * Embedded Checkout, as Stripe.js's `initEmbeddedCheckout`: Payrail's Checkout page for a session created with
 * `ui_mode=embedded`, in a frame of the merchant's page. The frame (`/c/embed/<session id>?client_secret=...&origin=<this page's
 * origin>`) may be framed by this origin only, and tells it, by postMessage, its height and where the shopper must go
 * next: 3-D Secure or PayPal, which cannot run in a frame, and once paid the session's return_url. Messages are
 * taken only from Payrail's origin and from this frame's own window; a URL to go to must be http(s).
 */

/** What the frame's messages carry (src/api/routes/checkout-embed-page.ts). */
export const embeddedCheckoutMessageType = 'payrail:embedded-checkout';
/** Bounds on the height the frame may ask for, in CSS pixels. */
const heightMin = 200;
const heightMax = 10_000;

export interface EmbeddedCheckoutOptions {
  /** The session's client_secret, or a function that fetches it from the merchant's server (as Stripe.js's). */
  clientSecret?: string;
  fetchClientSecret?: () => Promise<string>;
  /** Called when the session is paid and its redirect_on_completion is `never` (nothing to navigate to). */
  onComplete?: () => void;
}

export interface EmbeddedCheckoutInstance {
  mount(target: string | HTMLElement): void;
  unmount(): void;
  destroy(): void;
}

const clientSecretPattern = /^cs_[0-9A-Za-z]{24}_secret_[0-9A-Za-z]{24}$/;

export class EmbeddedCheckout implements EmbeddedCheckoutInstance {
  private iframe: HTMLIFrameElement | undefined;
  private readonly listener = (event: MessageEvent) => this.onMessage(event);
  private destroyed = false;

  constructor(
    private readonly apiBase: string,
    private readonly payrailOrigin: string,
    private readonly clientSecret: string,
    private readonly onComplete: (() => void) | undefined,
    private readonly fail: (message: string) => Error,
  ) {
    window.addEventListener('message', this.listener);
  }

  mount(target: string | HTMLElement): void {
    if (this.destroyed) throw this.fail('This Embedded Checkout was destroyed: call initEmbeddedCheckout again.');
    if (this.iframe?.isConnected) throw this.fail('This Embedded Checkout is already mounted.');
    const container = typeof target === 'string' ? document.querySelector(target) : target;
    if (!(container instanceof HTMLElement)) throw this.fail(`Cannot mount Embedded Checkout: no element matches ${String(target)}.`);
    const iframe = document.createElement('iframe');
    iframe.title = 'Secure payment (Payrail Checkout)';
    // The secret goes in the query, which Payrail's request logs leave out; the id before `_secret_` names the session.
    const sessionId = this.clientSecret.split('_secret_')[0];
    iframe.src = `${this.apiBase}/c/embed/${encodeURIComponent(sessionId)}?client_secret=${encodeURIComponent(this.clientSecret)}&origin=${encodeURIComponent(window.location.origin)}`;
    iframe.style.cssText = 'border:none;width:100%;height:760px;display:block';
    iframe.setAttribute('allow', 'payment');
    container.append(iframe);
    this.iframe = iframe;
  }

  unmount(): void {
    this.iframe?.remove();
    this.iframe = undefined;
  }

  destroy(): void {
    this.unmount();
    window.removeEventListener('message', this.listener);
    this.destroyed = true;
  }

  private onMessage(event: MessageEvent): void {
    if (event.origin !== this.payrailOrigin || !this.iframe || event.source !== this.iframe.contentWindow) return;
    const data = event.data as { type?: unknown; event?: unknown; height?: unknown; url?: unknown };
    if (typeof data !== 'object' || data === null || data.type !== embeddedCheckoutMessageType) return;
    if (data.event === 'height' && typeof data.height === 'number' && Number.isFinite(data.height)) {
      this.iframe.style.height = `${Math.round(Math.min(Math.max(data.height, heightMin), heightMax))}px`;
    } else if (data.event === 'redirect' && typeof data.url === 'string') {
      let url: URL;
      try {
        url = new URL(data.url);
      } catch {
        return;
      }
      if (url.protocol === 'https:' || url.protocol === 'http:') window.location.assign(url.toString());
    } else if (data.event === 'complete') {
      this.onComplete?.();
    }
  }
}

/** Checks the options and gets the client secret (from the merchant's server with fetchClientSecret). */
export async function embeddedCheckoutSecret(options: EmbeddedCheckoutOptions, fail: (message: string) => Error): Promise<string> {
  const secret = options.clientSecret ?? (options.fetchClientSecret ? await options.fetchClientSecret() : undefined);
  if (typeof secret !== 'string' || !clientSecretPattern.test(secret)) {
    throw fail('initEmbeddedCheckout needs the client_secret of a Checkout Session created with ui_mode=embedded (cs_..._secret_...), as clientSecret or from fetchClientSecret.');
  }
  return secret;
}
