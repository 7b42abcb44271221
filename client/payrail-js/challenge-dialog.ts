/**
 * 3-D Secure in a dialog over the merchant's page, as Stripe.js shows it: the challenge page (Payrail's origin) in an
 * iframe, in a modal `role="dialog"` with a close button. The merchant's page never navigates. The challenge ends on
 * Payrail's completion page (src/api/routes/challenge-complete-page.ts), which posts `challenge_complete` to this
 * window; the challenge page posts `challenge_escape` when the shopper presses Escape inside it. Both are taken only
 * from Payrail's origin and from this dialog's own iframe, and carry no more than the intent's id.
 *
 * Keyboard: the focus moves into the dialog (the challenge), Tab and Shift+Tab stay inside it (the close button and
 * the challenge), Escape or the close button cancel, and the focus goes back where it was.
 */
import type { ChallengeTexts } from './messages.ts';
import { protocolTag } from './protocol.ts';

export type ChallengeOutcome = 'complete' | 'canceled';

/** Above whatever the merchant's page stacks (the largest z-index browsers honour). */
const topLayerZIndex = '2147483647';

export class ChallengeDialog {
  private overlay: HTMLElement | undefined;
  private iframe: HTMLIFrameElement | undefined;
  private finish: ((outcome: ChallengeOutcome) => void) | undefined;
  private returnFocusTo: Element | null = null;
  private bodyOverflow = '';
  private readonly onMessage = (event: MessageEvent) => this.receive(event);
  private readonly onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.close('canceled');
    }
  };

  constructor(
    private readonly payrailOrigin: string,
    private readonly url: string,
    private readonly intentId: string,
    private readonly texts: ChallengeTexts,
  ) {}

  /** Shows the challenge; resolves when it ended (`complete`, whatever its outcome) or the shopper closed it. */
  open(): Promise<ChallengeOutcome> {
    return new Promise((resolve) => {
      this.finish = resolve;
      this.returnFocusTo = document.activeElement;
      const overlay = document.createElement('div');
      overlay.style.cssText = `position:fixed;inset:0;z-index:${topLayerZIndex};display:flex;align-items:center;justify-content:center;background:rgba(10,16,32,0.55);margin:0;padding:0`;
      const dialog = document.createElement('div');
      dialog.setAttribute('role', 'dialog');
      dialog.setAttribute('aria-modal', 'true');
      dialog.setAttribute('aria-label', this.texts.title);
      dialog.style.cssText = 'position:relative;box-sizing:border-box;width:min(500px,96vw);height:min(620px,92vh);background:#fff;border-radius:8px;box-shadow:0 12px 48px rgba(0,0,0,0.35);overflow:hidden;padding:0;margin:0';
      const close = document.createElement('button');
      close.type = 'button';
      close.setAttribute('aria-label', this.texts.close);
      close.textContent = '\u00d7';
      close.style.cssText = 'position:absolute;top:6px;right:6px;z-index:1;width:36px;height:36px;border:0;border-radius:18px;background:#f1f3f7;color:#30313d;font:24px/36px system-ui,sans-serif;cursor:pointer;padding:0;margin:0';
      close.addEventListener('click', () => this.close('canceled'));
      const iframe = document.createElement('iframe');
      iframe.title = this.texts.title;
      iframe.src = this.url;
      iframe.setAttribute('frameborder', '0');
      iframe.style.cssText = 'display:block;border:none;width:100%;height:100%;margin:0;padding:0;background:#fff';
      // Focusing the iframe before its page has loaded moves the page's focus onto the iframe element but not into
      // the challenge's document (the navigation to Payrail's origin replaces the frame), and focusing an element that
      // already has the focus does nothing: so once the challenge has loaded, and if the focus is still on it, focus it
      // again, which puts the focus inside the challenge (Tab then reaches its buttons, Escape reaches its page).
      let loaded = false;
      iframe.addEventListener('load', () => {
        if (loaded) return;
        loaded = true;
        if (document.activeElement !== iframe) return;
        iframe.blur();
        iframe.focus();
      });
      // Focus that leaves the last item comes back to the first, and the other way round: the dialog is modal.
      const guard = (next: () => HTMLElement) => {
        const sentinel = document.createElement('span');
        sentinel.tabIndex = 0;
        sentinel.style.cssText = 'position:absolute;width:1px;height:1px;overflow:hidden;opacity:0';
        sentinel.addEventListener('focus', () => next().focus());
        return sentinel;
      };
      dialog.append(guard(() => iframe), close, iframe, guard(() => close));
      overlay.append(dialog);
      this.overlay = overlay;
      this.iframe = iframe;
      this.bodyOverflow = document.body.style.overflow;
      document.body.style.overflow = 'hidden';
      window.addEventListener('message', this.onMessage);
      overlay.addEventListener('keydown', this.onKeyDown);
      document.body.append(overlay);
      iframe.focus();
    });
  }

  private receive(event: MessageEvent): void {
    if (event.origin !== this.payrailOrigin || !this.iframe || event.source !== this.iframe.contentWindow) return;
    const data = event.data as { tag?: unknown; type?: unknown; paymentIntent?: unknown; setupIntent?: unknown };
    if (typeof data !== 'object' || data === null || data.tag !== protocolTag) return;
    if (data.type === 'challenge_escape') this.close('canceled');
    // A PaymentIntent's challenge names it as paymentIntent, a SetupIntent's as setupIntent (confirmCardSetup).
    else if (data.type === 'challenge_complete' && (data.paymentIntent === this.intentId || data.setupIntent === this.intentId)) this.close('complete');
  }

  /** Takes the dialog away and gives the focus back to what had it (the merchant's Pay button, usually). */
  close(outcome: ChallengeOutcome): void {
    const finish = this.finish;
    if (!finish) return;
    this.finish = undefined;
    window.removeEventListener('message', this.onMessage);
    this.overlay?.remove();
    this.overlay = undefined;
    this.iframe = undefined;
    document.body.style.overflow = this.bodyOverflow;
    const previous = this.returnFocusTo;
    if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
    finish(outcome);
  }
}
