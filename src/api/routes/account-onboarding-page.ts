import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dependencies } from '../../dependencies.ts';
import {
  fieldsToCollect, finishOnboarding, onboardingPagePath, onboardingPageView, resumeOnboardingPage, submitOnboarding, visitOnboardingPage,
  type OnboardingPageView, type OnboardingVisit,
} from '../../connect/account-links.ts';
import type { AccountLinkRow } from '../../connect/account-link-repository.ts';
import {
  formFieldOfParam, formValue, onboardingPlan, readOnboardingForm, secretFormNames, type OnboardingFieldError, type OnboardingInput, type OnboardingPlan,
} from '../../connect/onboarding-form.ts';
import { onboardingLocaleOf, onboardingMccs, onboardingTexts, type OnboardingLocale, type OnboardingTexts } from '../../connect/onboarding-texts.ts';
import type { ConnectedAccountRow } from '../../connect/types.ts';
import { ApiError } from '../../platform/errors.ts';
import { object } from '../schema.ts';
import { escapeHtml, setPageHeaders } from '../html.ts';
import { brandMarkHtml, brandMarkStyle } from './branding-images.ts';
import { textColorOn } from './checkout-page.ts';
import { connectFields, toConnectInput } from './connected-accounts.ts';

/**
 * The hosted onboarding page an Account Link opens (`/connect/onboarding/<token>`): in the platform's branding, a form
 * with what the connected account's requirements say is due, posted back to this address and applied through the
 * API's own service (updateConnectedAccount). It works without JavaScript, so by keyboard and screen readers as it
 * stands. The link opens once: the first visit starts a page session whose secret the form carries (its CSRF token);
 * a second visit, an expired link or a lost session goes to the platform's refresh_url, as at Stripe. Identity and
 * account numbers are never written back into the page.
 */

const sessionField = 'csrf_token';
/** The connected account's own fields the API schema checks (the same table as POST /v1/accounts/:account). */
const connectSchema = object({ email: connectFields.email, business_type: connectFields.business_type, business_profile: connectFields.business_profile, individual: connectFields.individual, company: connectFields.company });

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** The page's policy: Payrail's own, with the platform's return and refresh origins as form targets (the POST redirects there). */
function setOnboardingHeaders(reply: FastifyReply, link: AccountLinkRow | undefined): void {
  setPageHeaders(reply);
  const targets = link ? [...new Set([originOf(link.return_url), originOf(link.refresh_url)])].filter((origin) => origin !== '').join(' ') : '';
  reply.header('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'${targets ? ` ${targets}` : ''}; frame-ancestors 'none'; base-uri 'none'`);
}

const styles = `*{box-sizing:border-box}body{font-family:system-ui,-apple-system,sans-serif;margin:0;color:#1a1f36;background:var(--secondary);line-height:1.4}
main{max-width:36rem;margin:0 auto;padding:2.5rem 1.25rem}@media (max-width:600px){main{padding:1rem .75rem}}
header{margin-bottom:1.25rem}h1{font-size:1.5rem;margin:.25rem 0 .5rem}.intro{color:#3c4257;margin:0}
.badge{display:inline-block;background:#ffde92;color:#663c00;border-radius:4px;padding:.1rem .4rem;font-size:.75rem;font-weight:600}
form{background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 2px 6px rgba(50,50,93,.12)}
fieldset{border:0;border-top:1px solid #e3e8ee;padding:1rem 0 0;margin:0 0 1.25rem}fieldset fieldset{border:0;padding:0;margin:.5rem 0 0}
legend{font-weight:600;font-size:1.05rem;padding:0}fieldset fieldset legend{font-weight:400;font-size:.9rem;color:#3c4257}
label{display:block;font-size:.9rem;margin:.75rem 0 .25rem;color:#3c4257}.hint{color:#596171;font-size:.8rem;margin:.25rem 0 0}
input,select,textarea{width:100%;font-size:1rem;padding:.6rem .7rem;border:1px solid #8792a2;border-radius:6px;background:#fff;color:#1a1f36;font-family:inherit}
input[type=checkbox]{width:1.25rem;height:1.25rem;margin:0 .5rem 0 0;flex:none}.check{display:flex;align-items:flex-start;margin:.75rem 0 0}.check label{margin:0}
input:focus,select:focus,textarea:focus,button:focus,a:focus{outline:3px solid var(--primary);outline-offset:1px}
.row{display:grid;grid-template-columns:1fr 1fr;gap:.75rem}.dob{display:grid;grid-template-columns:1fr 1fr 1.4fr;gap:.75rem}
@media (max-width:420px){.row{grid-template-columns:1fr}}
[aria-invalid=true]{border-color:#c0123c;border-width:2px}.field-error{color:#c0123c;font-size:.85rem;margin:.25rem 0 0}
.alert{background:#fde8ec;color:#8a0c2b;border-radius:6px;padding:.75rem;margin-bottom:1rem}.alert ul{margin:.5rem 0 0;padding-left:1.25rem}.alert a{color:#8a0c2b}
button{width:100%;margin-top:.5rem;font-size:1.05rem;font-weight:600;padding:.8rem;border:0;border-radius:6px;background:var(--primary);color:var(--on-primary);cursor:pointer}
.test{color:#596171;font-size:.8rem;margin-top:1rem}.message{background:#fff;border-radius:8px;padding:2rem;box-shadow:0 2px 6px rgba(50,50,93,.12)}`;

const defaultBranding = { primary: '#5469d4', secondary: '#f6f9fc' };

function brandingStyle(branding: OnboardingPageView['branding'] | undefined): string {
  const safe = (hex: string | null | undefined, fallback: string) => (hex && /^#[0-9a-f]{6}$/i.test(hex) ? hex : fallback);
  const primary = safe(branding?.primaryColor, defaultBranding.primary);
  return `:root{--primary:${primary};--on-primary:${textColorOn(primary)};--secondary:${safe(branding?.secondaryColor, defaultBranding.secondary)}}`;
}

function documentOf(locale: OnboardingLocale, title: string, body: string, branding?: OnboardingPageView['branding']): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${brandingStyle(branding)}${styles}${brandMarkStyle}</style></head><body>${body}</body></html>`;
}

function messagePage(locale: OnboardingLocale, title: string, text: string): string {
  return documentOf(locale, title, `<main><div class="message" role="status"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></div></main>`);
}

/** An id attribute for a form name (`individual[first_name]` -> `individual-first_name`). */
function idOf(name: string): string {
  return name.replace(/\]\[|\[/g, '-').replace(/\]/g, '');
}

interface FormState {
  errors: OnboardingFieldError[];
  /** What the seller typed (secrets removed), else what the account holds. */
  value(name: string): string | undefined;
  message?: string;
}

/** The form of one step, as HTML: the plan's inputs in sections, each error beside its input and listed at the top. */
function formHtml(t: OnboardingTexts, view: OnboardingPageView, plan: OnboardingPlan, action: string, sessionSecret: string, state: FormState, livemode: boolean): string {
  const errorOf = (name: string) => state.errors.find((error) => error.field === name);
  const has = (input: OnboardingInput) => plan.shown.has(input);
  const required = (input: OnboardingInput) => plan.required.has(input);
  const described = (name: string, hint?: string) => {
    const ids = [hint ? `${idOf(name)}-hint` : '', errorOf(name) ? `${idOf(name)}-error` : ''].filter(Boolean).join(' ');
    return `${errorOf(name) ? ' aria-invalid="true"' : ''}${ids ? ` aria-describedby="${ids}"` : ''}`;
  };
  const after = (name: string, hint?: string) => `${hint ? `<p class="hint" id="${idOf(name)}-hint">${escapeHtml(hint)}</p>` : ''}${errorOf(name) ? `<p class="field-error" id="${idOf(name)}-error">${escapeHtml(errorOf(name)!.message)}</p>` : ''}`;
  const text = (name: string, label: string, options: { input?: OnboardingInput; attributes?: string; hint?: string; optional?: boolean } = {}) => {
    const id = idOf(name);
    const value = secretFormNames.has(name) ? undefined : state.value(name);
    const isRequired = !options.optional && options.input !== undefined && required(options.input);
    return `<label for="${id}">${escapeHtml(label)}</label><input id="${id}" name="${escapeHtml(name)}"${value !== undefined ? ` value="${escapeHtml(value)}"` : ''} ${options.attributes ?? 'type="text"'}${isRequired ? ' required aria-required="true"' : ''}${described(name, options.hint)}>${after(name, options.hint)}`;
  };
  const checkbox = (name: string, label: string, input: OnboardingInput) => {
    const id = idOf(name);
    const checked = state.value(name) === 'true';
    return `<div class="check"><input type="checkbox" id="${id}" name="${escapeHtml(name)}" value="true"${checked ? ' checked' : ''}${required(input) ? ' required aria-required="true"' : ''}${described(name)}><label for="${id}">${escapeHtml(label)}</label></div>${after(name)}`;
  };
  const select = (name: string, label: string, options: [string, string][], input: OnboardingInput, placeholder?: string) => {
    const id = idOf(name);
    const current = state.value(name);
    return `<label for="${id}">${escapeHtml(label)}</label><select id="${id}" name="${escapeHtml(name)}"${required(input) ? ' required aria-required="true"' : ''}${described(name)}>${placeholder ? `<option value="">${escapeHtml(placeholder)}</option>` : ''}${options.map(([value, text]) => `<option value="${escapeHtml(value)}"${current === value ? ' selected' : ''}>${escapeHtml(text)}</option>`).join('')}</select>${after(name)}`;
  };
  const address = (holder: 'individual' | 'company', legend: string, main: OnboardingInput, state: OnboardingInput) => {
    const prefix = `${holder}[address]`;
    const auto = holder === 'individual' ? '' : 'section-company ';
    return `<fieldset><legend>${escapeHtml(legend)}</legend>
${text(`${prefix}[line1]`, t.line1, { input: main, attributes: `type="text" autocomplete="${auto}address-line1"` })}
${text(`${prefix}[line2]`, t.line2, { attributes: `type="text" autocomplete="${auto}address-line2"`, optional: true })}
<div class="row"><div>${text(`${prefix}[city]`, t.city, { input: main, attributes: `type="text" autocomplete="${auto}address-level2"` })}</div><div>${text(`${prefix}[postal_code]`, t.postalCode, { input: main, attributes: `type="text" autocomplete="${auto}postal-code"` })}</div></div>
${has(state) ? text(`${prefix}[state]`, t.state, { input: state, attributes: `type="text" autocomplete="${auto}address-level1"` }) : ''}
</fieldset>`;
  };
  const us = plan.country === 'US';
  const sections: string[] = [];
  if (has('business_type')) {
    sections.push(`<fieldset><legend>${escapeHtml(t.businessTypeSection)}</legend>${select('business_type', t.businessType, Object.entries(t.businessTypes), 'business_type', '—')}</fieldset>`);
  }
  if (has('mcc') || has('url') || has('business_name')) {
    sections.push(`<fieldset><legend>${escapeHtml(t.profileSection)}</legend>
${has('business_name') ? text('business_profile[name]', t.businessName, { input: 'business_name', attributes: 'type="text" autocomplete="organization"' }) : ''}
${has('mcc') ? select('business_profile[mcc]', t.mcc, onboardingMccs.map((code) => [code, t.mccs[code]] as [string, string]), 'mcc', t.mccChoose) : ''}
${has('url') ? `${text('business_profile[url]', t.website, { attributes: 'type="url" inputmode="url" autocomplete="url"', hint: t.websiteHint })}
<label for="business_profile-product_description">${escapeHtml(t.productDescription)}</label><textarea id="business_profile-product_description" name="business_profile[product_description]" rows="3"${described('business_profile[product_description]')}>${escapeHtml(state.value('business_profile[product_description]') ?? '')}</textarea>${after('business_profile[product_description]')}` : ''}
</fieldset>`);
  }
  const person = (['first_name', 'last_name', 'email', 'phone', 'dob', 'ssn', 'id_number'] as const).some(has);
  if (person) {
    const dobError = errorOf('individual[dob]');
    const dobPart = (part: 'day' | 'month' | 'year', label: string, size: number) => {
      const name = `individual[dob][${part}]`;
      const value = state.value(name);
      return `<div><label for="${idOf(name)}">${escapeHtml(label)}</label><input id="${idOf(name)}" name="${name}" type="text" inputmode="numeric" maxlength="${size}" autocomplete="bday-${part}"${value !== undefined ? ` value="${escapeHtml(value)}"` : ''}${required('dob') ? ' required aria-required="true"' : ''}${dobError ? ' aria-invalid="true" aria-describedby="individual-dob-error"' : ''}></div>`;
    };
    sections.push(`<fieldset><legend>${escapeHtml(t.personSection)}</legend>
${has('first_name') || has('last_name') ? `<div class="row"><div>${has('first_name') ? text('individual[first_name]', t.firstName, { input: 'first_name', attributes: 'type="text" autocomplete="given-name"' }) : ''}</div><div>${has('last_name') ? text('individual[last_name]', t.lastName, { input: 'last_name', attributes: 'type="text" autocomplete="family-name"' }) : ''}</div></div>` : ''}
${has('email') ? text('individual[email]', t.email, { input: 'email', attributes: 'type="email" autocomplete="email"' }) : ''}
${has('phone') ? text('individual[phone]', t.phone, { input: 'phone', attributes: 'type="tel" autocomplete="tel"' }) : ''}
${has('dob') ? `<fieldset role="group"><legend>${escapeHtml(t.dob)}</legend><div class="dob">${dobPart('day', t.day, 2)}${dobPart('month', t.month, 2)}${dobPart('year', t.year, 4)}</div>${dobError ? `<p class="field-error" id="individual-dob-error">${escapeHtml(dobError.message)}</p>` : ''}</fieldset>` : ''}
${has('ssn') || has('id_number') ? text('individual[id_number]', us ? t.ssn : t.idNumber, { input: has('id_number') ? 'id_number' : 'ssn', attributes: 'type="text" inputmode="numeric" autocomplete="off" spellcheck="false"', hint: us && !has('id_number') ? t.ssnHint : t.idNumberHint }) : ''}
</fieldset>`);
  }
  if (has('address')) sections.push(address('individual', t.addressSection, 'address', 'state'));
  if ((['company_name', 'company_phone', 'tax_id'] as const).some(has)) {
    sections.push(`<fieldset><legend>${escapeHtml(t.companySection)}</legend>
${has('company_name') ? text('company[name]', t.companyName, { input: 'company_name', attributes: 'type="text" autocomplete="organization"' }) : ''}
${has('company_phone') ? text('company[phone]', t.companyPhone, { input: 'company_phone', attributes: 'type="tel" autocomplete="tel"' }) : ''}
${has('tax_id') ? text('company[tax_id]', t.taxId, { input: 'tax_id', attributes: 'type="text" autocomplete="off" spellcheck="false"', hint: t.taxIdHint }) : ''}
</fieldset>`);
  }
  if (has('company_address')) sections.push(address('company', t.companyAddressSection, 'company_address', 'company_state'));
  if ((['owners_provided', 'directors_provided', 'executives_provided'] as const).some(has)) {
    sections.push(`<fieldset><legend>${escapeHtml(t.companySection)}</legend>
${has('owners_provided') ? checkbox('company[owners_provided]', t.ownersProvided, 'owners_provided') : ''}${has('directors_provided') ? checkbox('company[directors_provided]', t.directorsProvided, 'directors_provided') : ''}${has('executives_provided') ? checkbox('company[executives_provided]', t.executivesProvided, 'executives_provided') : ''}
</fieldset>`);
  }
  if (has('bank')) {
    sections.push(`<fieldset><legend>${escapeHtml(t.bankSection)}</legend><p class="hint" id="bank-hint">${escapeHtml(t.bankHint)}</p>
${us ? text('external_account[routing_number]', t.routingNumber, { input: 'bank', attributes: 'type="text" inputmode="numeric" autocomplete="off" maxlength="11"' }) : ''}
${text('external_account[account_number]', us ? t.accountNumber : t.iban, { input: 'bank', attributes: `type="text" ${us ? 'inputmode="numeric" ' : ''}autocomplete="off" spellcheck="false" maxlength="42"` })}
</fieldset>`);
  }
  if (has('terms')) {
    sections.push(`<fieldset><legend>${escapeHtml(t.termsSection)}</legend>${checkbox('tos_acceptance[accepted]', t.terms.replaceAll('{platform}', view.platformName), 'terms')}</fieldset>`);
  }
  const listed = state.errors.map((error) => `<li><a href="#${idOf(error.field === 'individual[dob]' ? 'individual[dob][day]' : error.field)}">${escapeHtml(error.message)}</a></li>`).join('');
  const alert = state.message ?? (state.errors.length > 0 ? t.correctFields : undefined);
  const onlyBusinessType = plan.shown.size === 1 && has('business_type');
  return `<form method="post" action="${escapeHtml(action)}" novalidate aria-labelledby="page-title">
${alert ? `<div class="alert" role="alert"><p style="margin:0">${escapeHtml(alert)}</p>${listed ? `<ul>${listed}</ul>` : ''}</div>` : ''}
<input type="hidden" name="${sessionField}" value="${escapeHtml(sessionSecret)}">
${sections.join('\n')}
<button type="submit">${escapeHtml(onlyBusinessType ? t.continue : t.submit)}</button>
${livemode ? '' : `<p class="test">${escapeHtml(t.testHint)}</p>`}
</form>`;
}

/** What the account already holds, to show in an input (never a secret: those are only `*_provided`). */
function accountValue(account: ConnectedAccountRow, name: string): string | undefined {
  const rendered: Record<string, unknown> = {
    business_type: account.business_type ?? undefined,
    business_profile: account.business_profile,
    individual: account.individual ? { ...account.individual, dob: account.individual.dob ? { day: String(account.individual.dob.day), month: String(account.individual.dob.month), year: String(account.individual.dob.year) } : undefined } : undefined,
    company: account.company ? { ...account.company, owners_provided: account.company.owners_provided ? 'true' : undefined, directors_provided: account.company.directors_provided ? 'true' : undefined, executives_provided: account.company.executives_provided ? 'true' : undefined } : undefined,
  };
  const value = formValue(rendered, name);
  return value === '' ? undefined : value;
}

function pageHtml(locale: OnboardingLocale, view: OnboardingPageView, account: ConnectedAccountRow, link: AccountLinkRow, token: string, sessionSecret: string, state: { errors: OnboardingFieldError[]; raw?: Record<string, unknown>; message?: string }): string {
  const t = onboardingTexts(locale);
  const { shown, due } = fieldsToCollect(account, view.country, link);
  const plan = onboardingPlan(account, view.country, shown, due);
  const value = (name: string) => {
    if (state.raw) {
      const typed = formValue(state.raw, name);
      return typed === '' ? undefined : typed;
    }
    return accountValue(account, name);
  };
  const title = t.title.replaceAll('{platform}', view.platformName);
  return documentOf(locale, title, `<main>
<header>${brandMarkHtml(view.platformName, view.branding.image)}${link.livemode ? '' : ` <span class="badge">${escapeHtml(t.testMode)}</span>`}
<h1 id="page-title">${escapeHtml(title)}</h1><p class="intro">${escapeHtml(t.intro.replaceAll('{platform}', view.platformName))}</p></header>
${formHtml(t, view, plan, onboardingPagePath(token), sessionSecret, { errors: state.errors, value, message: state.message }, link.livemode)}
</main>`, view.branding);
}

/** Whether the onboarding is over: nothing the link collects is due any more. */
function nothingDue(account: ConnectedAccountRow, country: string, link: AccountLinkRow): boolean {
  const { due } = fieldsToCollect(account, country, link);
  const plan = onboardingPlan(account, country, due, due);
  return plan.required.size === 0;
}

export function registerOnboardingPages(app: FastifyInstance, deps: Dependencies): void {
  const path = onboardingPagePath(':token');
  const unknown = (reply: FastifyReply, locale: OnboardingLocale) => {
    const t = onboardingTexts(locale);
    return reply.status(404).type('text/html').send(messagePage(locale, t.unknownLinkTitle, t.unknownLinkText.replaceAll('{platform}', 'the platform')));
  };
  /** Away to the platform's refresh_url (it makes a new link), as a 303 so a POST becomes a GET. */
  const refresh = (reply: FastifyReply, link: AccountLinkRow) => reply.redirect(link.refresh_url, 303);
  const answer = async (request: FastifyRequest, reply: FastifyReply, visit: OnboardingVisit, token: string) => {
    const locale = onboardingLocaleOf(request.headers['accept-language']);
    setOnboardingHeaders(reply, visit.kind === 'unknown' ? undefined : visit.link);
    if (visit.kind === 'unknown') return unknown(reply, locale);
    if (visit.kind === 'refresh') return refresh(reply, visit.link);
    const view = await onboardingPageView(deps, visit.link);
    return reply.type('text/html').send(pageHtml(locale, view, visit.account, visit.link, token, visit.sessionSecret, { errors: [] }));
  };

  app.get<{ Params: { token: string } }>(path, async (request, reply) => answer(request, reply, await visitOnboardingPage(deps, request.params.token), request.params.token));

  app.post<{ Params: { token: string }; Body: Record<string, unknown> | undefined }>(path, async (request, reply) => {
    const token = request.params.token;
    const raw = request.body ?? {};
    const visit = await resumeOnboardingPage(deps, token, raw[sessionField]);
    const locale = onboardingLocaleOf(request.headers['accept-language']);
    setOnboardingHeaders(reply, visit.kind === 'unknown' ? undefined : visit.link);
    if (visit.kind === 'unknown') return unknown(reply, locale);
    if (visit.kind === 'refresh') return refresh(reply, visit.link);
    const { link, account, sessionSecret } = visit;
    const t = onboardingTexts(locale);
    const view = await onboardingPageView(deps, link);
    const { shown, due } = fieldsToCollect(account, view.country, link);
    const plan = onboardingPlan(account, view.country, shown, due);
    const again = (status: number, errors: OnboardingFieldError[], message?: string) => reply.status(status).type('text/html').send(pageHtml(locale, view, account, link, token, sessionSecret, { errors, raw, message }));
    const read = readOnboardingForm(raw, plan, t, new Date(deps.clock.nowSeconds() * 1000));
    if ('errors' in read) return again(400, read.errors);
    let updated: ConnectedAccountRow;
    try {
      // The same checks as POST /v1/accounts/:account (lengths, formats), then its service.
      const { external_account: bankAccount, ...fields } = read.input;
      const checked = toConnectInput(connectSchema.parse(fields, '') ?? {});
      const userAgent = (request.headers['user-agent'] ?? '').slice(0, 5000);
      updated = await submitOnboarding(deps, link, {
        ...checked,
        external_account: bankAccount,
        ...(read.termsAccepted ? { tos_acceptance: { date: deps.clock.nowSeconds(), ip: request.ip, ...(userAgent ? { user_agent: userAgent } : {}) } } : {}),
      });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      const field = formFieldOfParam(error.param, plan);
      return field ? again(400, [{ field, message: error.message }]) : again(400, [], error.message);
    }
    if (link.type === 'account_update' || nothingDue(updated, view.country, link)) {
      await finishOnboarding(deps, link);
      return reply.redirect(link.return_url, 303);
    }
    // The next step (after the business type, the fields it calls for): the page again, with the account as it is now.
    return reply.type('text/html').send(pageHtml(locale, view, updated, link, token, sessionSecret, { errors: [] }));
  });
}

