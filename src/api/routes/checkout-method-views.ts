import { localMethodFields } from '../../checkout/local-method-fields.ts';
import type { LocalMethodTexts } from '../../checkout/local-method-texts.ts';
import type { CheckoutSessionRow } from '../../checkout/repository.ts';
import { isLocalMethodType, methodTypeOf } from '../../payment-methods/method-types.ts';
import { escapeHtml } from '../html.ts';

/**
 * The hosted page's parts for the local payment methods: the choice of method (radio buttons; each method's fields
 * are shown for the chosen one by CSS alone, so the page keeps working without JavaScript), each method's fields
 * (local-method-fields.ts), and what the shopper sees after confirming: Pix's QR code, a boleto's voucher, a debit or
 * an app approval in progress.
 */

/** How the page renders a field, with its kept value and error (checkout-page.ts's own helpers). */
export interface FieldRenderer {
  input(name: string, label: string, attributes: string): string;
  select(name: string, label: string, options: readonly { value: string; label: string }[], required: boolean): string;
}

/** The CSS that shows the chosen method's fields (`:has`, in every current browser; older ones show every method). */
export function methodChoiceStyle(choices: readonly string[]): string {
  if (choices.length <= 1) return '';
  return `.pm{display:none}.choice label{display:flex;gap:.6rem;align-items:center;font-size:1rem;margin:.4rem 0;color:#1a1f36}.choice input{width:auto;margin:0}
.note{color:#3c4257;font-size:.85rem}${choices.map((type) => `form:has(#pm-${type}:checked) .pm-${type}{display:block}`).join('')}`;
}

/** A method's name as the page shows it. */
export function methodLabel(type: string, cardLabel: string): string {
  return type === 'card' ? cardLabel : (methodTypeOf(type)?.label ?? type);
}

/** What a method's section says before paying (where the shopper goes next, the SEPA mandate). */
function methodNote(type: string, t: LocalMethodTexts, merchantName: string): string {
  const kind = methodTypeOf(type)?.nextAction;
  if (type === 'sepa_debit') return t.sepaMandate.replace('{merchant}', merchantName);
  if (type === 'blik') return t.blikNote;
  if (type === 'upi') return t.upiNote;
  if (type === 'pix') return t.pixNote;
  if (type === 'boleto') return t.boletoNote;
  return kind === 'redirect_to_url' ? t.redirectNote : '';
}

/**
 * The method part of the form: with more than one method, a radio group and one section per method (the card's
 * fields given as `cardFields`); with one, that method's section alone.
 */
export function methodSectionsHtml(options: {
  session: CheckoutSessionRow; choices: readonly string[]; chosen: string; cardFields: string; cardLabel: string; merchantName: string;
  t: LocalMethodTexts; render: FieldRenderer;
}): string {
  const { session, choices, chosen, t, render } = options;
  const single = choices.length <= 1;
  const radios = single ? '' : `<fieldset class="choice"><legend>${escapeHtml(t.paymentMethod)}</legend>${choices.map((type) => `<label><input type="radio" id="pm-${type}" name="payment_method_type" value="${type}"${type === chosen ? ' checked' : ''}> ${escapeHtml(methodLabel(type, options.cardLabel))}</label>`).join('')}</fieldset>`;
  const sections = choices.map((type) => {
    const wrap = (inner: string) => (single ? inner : `<div class="pm pm-${type}">${inner}</div>`);
    if (type === 'card') return wrap(options.cardFields);
    if (!isLocalMethodType(type)) return '';
    const fields = localMethodFields(type, session.currency ?? '', t).map((field) => field.kind === 'select'
      ? render.select(field.name, field.label, field.options, field.required)
      : render.input(field.name, field.label, `${field.inputMode ? `inputmode="${field.inputMode}" ` : ''}${field.autocomplete ? `autocomplete="${field.autocomplete}" ` : ''}maxlength="${field.maxLength}"${field.required ? ' required' : ''}`)).join('\n');
    const note = methodNote(type, t, options.merchantName);
    const hint = session.livemode ? undefined : t.testHints[type];
    return wrap(`<fieldset><legend>${escapeHtml(methodLabel(type, options.cardLabel))}</legend>${fields}${note ? `<p class="note">${escapeHtml(note)}</p>` : ''}${hint ? `<p class="hint">${escapeHtml(hint)}</p>` : ''}</fieldset>`);
  }).join('\n');
  return `${radios}\n${sections}`;
}

function dateText(seconds: unknown, locale: string): string {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC' : '';
}

/** Pix's QR code, its copy-and-paste text and where the shopper pays; the session stays open while it waits. */
export function pixDisplayHtml(nextAction: Record<string, unknown>, t: LocalMethodTexts, locale: string): string {
  const qr = (nextAction.pix_display_qr_code ?? {}) as { data?: string; expires_at?: number; hosted_instructions_url?: string; image_url_svg?: string };
  return `<div class="message" role="status"><h1>${escapeHtml(t.pixTitle)}</h1><p>${escapeHtml(t.pixText)}</p>
${qr.image_url_svg ? `<p><img src="${escapeHtml(qr.image_url_svg)}" alt="Pix QR code" width="220" height="220"></p>` : ''}
<label for="pix-code">${escapeHtml(t.pixCopy)}</label><input id="pix-code" readonly value="${escapeHtml(qr.data ?? '')}">
<p>${escapeHtml(t.pixExpires)} ${escapeHtml(dateText(qr.expires_at, locale))}</p>
${qr.hosted_instructions_url ? `<p><a href="${escapeHtml(qr.hosted_instructions_url)}">${escapeHtml(t.pixOpen)}</a></p>` : ''}</div>`;
}

/**
 * A completed session whose payment is still to end: a boleto's voucher (number, the voucher's page and PDF), or the
 * debit or app approval in progress; with a link back to the merchant's success page.
 */
export function pendingHtml(type: string, nextAction: Record<string, unknown> | null, t: LocalMethodTexts, target: string | null): string {
  const back = target ? `<p><a href="${escapeHtml(target)}">${escapeHtml(t.returnToMerchant)}</a></p>` : '';
  if (type === 'boleto') {
    const voucher = (nextAction?.boleto_display_details ?? {}) as { number?: string; hosted_voucher_url?: string; pdf?: string };
    return `<div class="message" role="status"><h1>${escapeHtml(t.boletoTitle)}</h1><p>${escapeHtml(t.boletoText)}</p>
<label for="boleto-number">${escapeHtml(t.boletoNumber)}</label><input id="boleto-number" readonly value="${escapeHtml(voucher.number ?? '')}">
${voucher.hosted_voucher_url ? `<p><a href="${escapeHtml(voucher.hosted_voucher_url)}">${escapeHtml(t.boletoOpen)}</a></p>` : ''}
${voucher.pdf ? `<p><a href="${escapeHtml(voucher.pdf)}">${escapeHtml(t.boletoPdf)}</a></p>` : ''}${back}</div>`;
  }
  const text = type === 'sepa_debit' ? t.sepaProcessing : type === 'blik' ? t.blikProcessing : t.upiProcessing;
  return `<div class="message" role="status"><h1>${escapeHtml(t.processingTitle)}</h1><p>${escapeHtml(text)}</p>${back}</div>`;
}
