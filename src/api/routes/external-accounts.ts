import { renderBankAccount } from '../../external-accounts/render.ts';
import {
  createExternalAccount, deleteExternalAccount, listExternalAccountPage, modifyExternalAccount, retrieveExternalAccount,
} from '../../external-accounts/service.ts';
import { accountHolderTypes, accountNumberLengthMax, validateBankAccount } from '../../external-accounts/validation.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { boolean, emptyable, enumeration, metadata, object, required, string } from '../schema.ts';
import { listParameters, noParameters } from './common.ts';
import { accountTarget } from '../../connect/access.ts';
import { reviewAccount } from '../../connect/review.ts';
import type { Queryable } from '../../platform/db.ts';
import type { RouteContext } from '../route.ts';

/**
 * The scope the `:account` of the path works in: the caller's own account, or one of its connected accounts (a
 * platform managing its sellers' bank accounts), and what to do after a change there: a connected account's
 * requirements (an external account is one of them) are evaluated again in the same transaction.
 */
async function pathAccount(context: RouteContext): Promise<{ scope: RouteContext['scope']; accountId: string; afterChange?: (client: Queryable) => Promise<unknown> }> {
  const target = await accountTarget(context.deps.db, context.scope, context.pathParams.account);
  const accountId = target.scope.accountId;
  return { scope: target.scope, accountId, ...(target.connected ? { afterChange: (client: Queryable) => reviewAccount(client, context.deps, accountId, context.work) } : {}) };
}

/** Longest account holder name Stripe accepts. */
const accountHolderNameLengthMax = 200;

const bankAccountSchema = object({
  object: required(enumeration(['bank_account'])),
  country: required(string({ minLength: 2, maxLength: 2 })),
  currency: string({ minLength: 3, maxLength: 3 }),
  account_number: required(string({ minLength: 1, maxLength: accountNumberLengthMax + 10 })),
  routing_number: string({ maxLength: 20 }),
  account_holder_name: string({ maxLength: accountHolderNameLengthMax }),
  account_holder_type: enumeration(accountHolderTypes),
});

export const externalAccountRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/accounts/:account/external_accounts', operationId: 'PostAccountsAccountExternalAccounts', summary: 'Add a bank account for payouts',
    parameters: object({ external_account: required(bankAccountSchema), default_for_currency: boolean(), metadata: metadata() }, { required: ['external_account'] }),
    response: { kind: 'object', type: 'bank_account' },
    // Checked before an idempotency key is taken: a mistyped number can be corrected and retried under the same key.
    precheck: (params) => void validateBankAccount(params.external_account),
    handle: async (context, params) => {
      const path = await pathAccount(context);
      return createExternalAccount(context.work, context.deps, path.scope, path.accountId, params, path.afterChange);
    },
    present: (row) => presentObject(renderBankAccount(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/accounts/:account/external_accounts/:id', operationId: 'GetAccountsAccountExternalAccountsId', summary: 'Retrieve a bank account',
    parameters: noParameters,
    response: { kind: 'object', type: 'bank_account' },
    handle: async (context) => {
      const path = await pathAccount(context);
      return retrieveExternalAccount(context.deps.db, path.scope, path.accountId, context.pathParams.id);
    },
    present: (row) => presentObject(renderBankAccount(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/accounts/:account/external_accounts/:id', operationId: 'PostAccountsAccountExternalAccountsId', summary: 'Update a bank account',
    parameters: object({
      account_holder_name: string({ maxLength: accountHolderNameLengthMax }),
      account_holder_type: emptyable(enumeration(accountHolderTypes)),
      default_for_currency: boolean(),
      metadata: metadata(),
    }),
    response: { kind: 'object', type: 'bank_account' },
    handle: async (context, params) => {
      const path = await pathAccount(context);
      return modifyExternalAccount(context.work, path.scope, path.accountId, context.pathParams.id, params);
    },
    present: (row) => presentObject(renderBankAccount(row)),
  }),
  defineRoute({
    method: 'DELETE', path: '/v1/accounts/:account/external_accounts/:id', operationId: 'DeleteAccountsAccountExternalAccountsId', summary: 'Delete a bank account',
    parameters: noParameters,
    response: { kind: 'object', type: 'bank_account' },
    handle: async (context) => {
      const path = await pathAccount(context);
      return deleteExternalAccount(context.work, context.deps, path.scope, path.accountId, context.pathParams.id, path.afterChange);
    },
    present: (row) => presentObject(renderBankAccount(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/accounts/:account/external_accounts', operationId: 'GetAccountsAccountExternalAccounts', summary: 'List bank accounts',
    parameters: object({ ...listParameters, object: enumeration(['bank_account', 'card']) }),
    response: { kind: 'list', type: 'bank_account' },
    handle: async (context, params) => {
      const path = await pathAccount(context);
      return listExternalAccountPage(context.deps.db, path.scope, path.accountId, params, { object: params.object });
    },
    present: (page, context) => presentList(page, context.path, renderBankAccount),
  }),
];
