import { accountLinkCollects, accountLinkTypes } from '../../connect/account-link-repository.ts';
import { checkAccountLinkInput, createAccountLink } from '../../connect/account-links.ts';
import { defineRoute, presentObject } from '../route.ts';
import { enumeration, object, required, string, url } from '../schema.ts';

// Stripe Connect's Account Links: a platform's one-time address of the hosted onboarding page for a connected account
// (src/connect/account-links.ts; the page is account-onboarding-page.ts).

export const accountLinkRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/account_links', operationId: 'PostAccountLinks',
    summary: 'Create a one-time link to the hosted onboarding page of a connected account (expires after 300 seconds)',
    parameters: object({
      account: required(string({ maxLength: 100, description: 'A connected account of the platform.' })),
      type: required(enumeration(accountLinkTypes, { description: 'account_onboarding, or account_update for an account whose platform collects requirements and that submitted its details.' })),
      refresh_url: required(url()),
      return_url: required(url()),
      collect: enumeration(accountLinkCollects, { description: 'Deprecated by Stripe for collection_options[fields]: currently_due (default) or eventually_due.' }),
      collection_options: object({
        fields: required(enumeration(accountLinkCollects)),
        future_requirements: enumeration(['include', 'omit']),
      }),
    }),
    response: { kind: 'object', type: 'account_link' },
    precheck: (params) => checkAccountLinkInput(params),
    handle: (context, params) => createAccountLink(context.deps, context.scope, params),
    present: (link) => presentObject({ ...link }),
  }),
];
