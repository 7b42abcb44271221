import { brandImageOf, type BrandImage } from '../accounts/branding.ts';
import { findAccount } from '../accounts/repository.ts';
import { findAccountSettings } from '../accounts/settings-repository.ts';
import type { Dependencies } from '../dependencies.ts';
import { randomBase62 } from '../platform/ids.ts';
import { constantTimeEqual, sha256 } from '../platform/crypto.ts';
import { ApiError } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import { UnitOfWork } from '../platform/unit-of-work.ts';
import { accountInvalid, accountTarget } from './access.ts';
import { updateConnectedAccount, type ConnectDependencies, type UpdateConnectedAccountInput } from './accounts.ts';
import {
  endAccountLinkSession, findAccountLink, insertAccountLink, visitAccountLink, type AccountLinkCollect, type AccountLinkRow, type AccountLinkType,
} from './account-link-repository.ts';
import { findConnectedAccount } from './repository.ts';
import { rulesFor } from './requirements-table.ts';
import type { ConnectedAccountRow } from './types.ts';

// Account Links (POST /v1/account_links) and the life of the hosted onboarding page they open, as Stripe's: a link is
// a one-time address that expires after a few minutes; its first visit starts a page session (the page's form carries
// its secret back), and any later visit, or a visit after it expired, goes to the platform's refresh_url, which makes
// a new link. What the page submits goes through updateConnectedAccount, the service of POST /v1/accounts/:account.

/** Stripe: an Account Link expires 300 seconds after it is created. */
export const accountLinkLifetimeSeconds = 300;
/** How long the page session a link's first visit starts lasts (the seller fills the form within it). */
export const onboardingSessionSeconds = 3600;
/** Random characters of a link's token (base62: about 190 bits). */
const tokenLength = 32;
export const accountLinkTokenPattern = /^[0-9A-Za-z]{32}$/;

export function onboardingPagePath(token: string): string {
  return `/connect/onboarding/${token}`;
}

export interface CreateAccountLinkInput {
  account: string;
  type: AccountLinkType;
  refresh_url: string;
  return_url: string;
  collect?: AccountLinkCollect;
  collection_options?: { fields: AccountLinkCollect; future_requirements?: 'include' | 'omit' };
}

/** Stripe's `account_link` object. */
export interface AccountLinkView {
  object: 'account_link';
  created: number;
  expires_at: number;
  url: string;
}

export type AccountLinkDependencies = ConnectDependencies & Pick<Dependencies, 'publicUrl' | 'commits'>;

/** Checks that need no database (the route's precheck). */
export function checkAccountLinkInput(input: Pick<CreateAccountLinkInput, 'collect' | 'collection_options'>): void {
  if (input.collect !== undefined && input.collection_options !== undefined) {
    throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: collect, collection_options.', { param: 'collection_options' });
  }
}

/**
 * Creates an Account Link for a connected account of the platform in `scope`. `account_update` links are for accounts
 * whose requirements the platform collects (Custom-like: Stripe refuses them for accounts with a Stripe dashboard) and
 * that have submitted their details once (there is something to update; Stripe's onboarding link serves the others).
 */
export async function createAccountLink(deps: AccountLinkDependencies, scope: Scope, input: CreateAccountLinkInput): Promise<AccountLinkView> {
  checkAccountLinkInput(input);
  const target = await accountTarget(deps.db, scope, input.account);
  if (target.kind !== 'connected') throw accountInvalid(input.account, 'account');
  const account = target.connected;
  if (input.type === 'account_update') {
    if (account.controller.requirement_collection !== 'application') {
      throw new ApiError('account_link_type_unavailable', 'You can only create account_update Account Links for connected accounts whose requirements your platform collects (controller[requirement_collection]=application, such as Custom accounts).', { param: 'type' });
    }
    if (!account.details_submitted) {
      throw new ApiError('account_link_type_unavailable', 'This account has not completed onboarding (details_submitted is false): create an account_onboarding link instead of account_update.', { param: 'type' });
    }
  }
  const token = randomBase62(tokenLength);
  const created = deps.clock.nowSeconds();
  const expiresAt = created + accountLinkLifetimeSeconds;
  await insertAccountLink(deps.db, {
    token_hash: sha256(token),
    account_id: scope.accountId,
    connected_account_id: account.id,
    livemode: scope.livemode,
    type: input.type,
    collect: input.collection_options?.fields ?? input.collect ?? 'currently_due',
    future_requirements: input.collection_options?.future_requirements ?? 'omit',
    refresh_url: input.refresh_url,
    return_url: input.return_url,
    created,
    expires_at: expiresAt,
  });
  return { object: 'account_link', created, expires_at: expiresAt, url: `${deps.publicUrl}${onboardingPagePath(token)}` };
}

/** What a visit of the page finds: nothing (an unknown token), a link to leave for its refresh_url, or a live session. */
export type OnboardingVisit =
  | { kind: 'unknown' }
  | { kind: 'refresh'; link: AccountLinkRow }
  | { kind: 'open'; link: AccountLinkRow; account: ConnectedAccountRow; sessionSecret: string };

function platformScope(link: AccountLinkRow): Scope {
  return { accountId: link.account_id, livemode: link.livemode };
}

/** The connected account of a link, while its platform still has it (not deleted). */
async function linkedAccount(deps: AccountLinkDependencies, link: AccountLinkRow): Promise<ConnectedAccountRow | undefined> {
  return findConnectedAccount(deps.db, platformScope(link), link.connected_account_id);
}

/**
 * The page opened with a link's token (a GET): the first visit of an unexpired link starts a page session and answers
 * its secret, which only this page's form holds; every other visit is sent to refresh_url.
 */
export async function visitOnboardingPage(deps: AccountLinkDependencies, token: string): Promise<OnboardingVisit> {
  if (!accountLinkTokenPattern.test(token)) return { kind: 'unknown' };
  const tokenHash = sha256(token);
  const now = deps.clock.nowSeconds();
  const sessionSecret = randomBase62(tokenLength);
  const visited = await visitAccountLink(deps.db, tokenHash, now, sha256(sessionSecret), now + onboardingSessionSeconds);
  if (!visited) {
    const link = await findAccountLink(deps.db, tokenHash);
    return link ? { kind: 'refresh', link } : { kind: 'unknown' };
  }
  const account = await linkedAccount(deps, visited);
  if (!account || account.rejected_reason !== null) return { kind: 'refresh', link: visited };
  return { kind: 'open', link: visited, account, sessionSecret };
}

/** A posted form of the page: its link, and the page session's secret it carries (the form's CSRF token). */
export async function resumeOnboardingPage(deps: AccountLinkDependencies, token: string, sessionSecret: unknown): Promise<OnboardingVisit> {
  if (!accountLinkTokenPattern.test(token)) return { kind: 'unknown' };
  const link = await findAccountLink(deps.db, sha256(token));
  if (!link) return { kind: 'unknown' };
  const valid = typeof sessionSecret === 'string' && link.session_hash !== null && link.session_expires_at !== null
    && link.session_expires_at > deps.clock.nowSeconds() && constantTimeEqual(sha256(sessionSecret), link.session_hash);
  if (!valid) return { kind: 'refresh', link };
  const account = await linkedAccount(deps, link);
  if (!account || account.rejected_reason !== null) return { kind: 'refresh', link };
  return { kind: 'open', link, account, sessionSecret };
}

/**
 * Applies what the seller submitted, through the service of POST /v1/accounts/:account (as the platform, whose link
 * it is), and answers the account as it is now. Errors are the API's (ApiError with Stripe's `param`).
 */
export async function submitOnboarding(deps: AccountLinkDependencies, link: AccountLinkRow, input: UpdateConnectedAccountInput): Promise<ConnectedAccountRow> {
  await updateConnectedAccount(UnitOfWork.alone(deps.db, deps.commits), deps, platformScope(link), link.connected_account_id, input);
  const account = await linkedAccount(deps, link);
  if (!account) throw accountInvalid(link.connected_account_id, 'account');
  return account;
}

/** The onboarding is over (nothing left to collect): the page's form cannot be posted again. */
export async function finishOnboarding(deps: AccountLinkDependencies, link: AccountLinkRow): Promise<void> {
  await endAccountLinkSession(deps.db, link.token_hash, deps.clock.nowSeconds());
}

/**
 * The requirement fields the page shows: what is currently due (or eventually due, with collect=eventually_due), and
 * the future requirements when the link includes them; an account_update link also shows what the account already
 * gave, to change it. Fields being verified are not asked again. `due` is what must be filled in.
 */
export function fieldsToCollect(account: ConnectedAccountRow, country: string, link: Pick<AccountLinkRow, 'type' | 'collect' | 'future_requirements'>): { shown: string[]; due: string[] } {
  const eventually = link.collect === 'eventually_due';
  const due = new Set(eventually ? [...account.requirements.currently_due, ...account.requirements.eventually_due] : account.requirements.currently_due);
  if (link.future_requirements === 'include') {
    for (const field of eventually ? account.future_requirements.eventually_due : account.future_requirements.currently_due) due.add(field);
  }
  for (const field of account.requirements.pending_verification) due.delete(field);
  // Persons are given through the Persons API; the hosted page does not collect them.
  for (const field of [...due]) if (field.startsWith('person_')) due.delete(field);
  const shown = new Set(due);
  if (link.type === 'account_update') {
    for (const rule of rulesFor(country, account.business_type)) if (eventually || rule.timing === 'now') shown.add(rule.field);
  }
  return { shown: [...shown], due: [...due] };
}

/** What the page shows besides the form: whose page it is (the platform's name and branding) and the account's country. */
export interface OnboardingPageView {
  platformName: string;
  branding: { primaryColor: string | null; secondaryColor: string | null; image: BrandImage | null };
  country: string;
}

export async function onboardingPageView(deps: AccountLinkDependencies, link: AccountLinkRow): Promise<OnboardingPageView> {
  const [platform, platformSettings, settings] = await Promise.all([
    findAccount(deps.db, link.account_id), findAccountSettings(deps.db, link.account_id), findAccountSettings(deps.db, link.connected_account_id),
  ]);
  return {
    platformName: platform?.name || 'Payrail',
    branding: { primaryColor: platformSettings.branding_primary_color, secondaryColor: platformSettings.branding_secondary_color, image: brandImageOf(platformSettings) },
    country: settings.country,
  };
}
