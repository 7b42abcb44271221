import { renderBankAccount } from '../../external-accounts/render.ts';
import {
  createExternalAccount, deleteExternalAccount, listExternalAccountPage, modifyExternalAccount, retrieveExternalAccount,
} from '../../external-accounts/service.ts';
import { accountHolderTypes, accountNumberLengthMax, validateBankAccount } from '../../external-accounts/validation.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { boolean, emptyable, enumeration, metadata, object, required, string } from '../schema.ts';
import { listParameters, noParameters } from './common.ts';

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
    handle: (context, params) => createExternalAccount(context.work, context.deps, context.scope, context.pathParams.account, params),
    present: (row) => presentObject(renderBankAccount(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/accounts/:account/external_accounts/:id', operationId: 'GetAccountsAccountExternalAccountsId', summary: 'Retrieve a bank account',
    parameters: noParameters,
    response: { kind: 'object', type: 'bank_account' },
    handle: (context) => retrieveExternalAccount(context.deps.db, context.scope, context.pathParams.account, context.pathParams.id),
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
    handle: (context, params) => modifyExternalAccount(context.work, context.scope, context.pathParams.account, context.pathParams.id, params),
    present: (row) => presentObject(renderBankAccount(row)),
  }),
  defineRoute({
    method: 'DELETE', path: '/v1/accounts/:account/external_accounts/:id', operationId: 'DeleteAccountsAccountExternalAccountsId', summary: 'Delete a bank account',
    parameters: noParameters,
    response: { kind: 'object', type: 'bank_account' },
    handle: (context) => deleteExternalAccount(context.work, context.deps, context.scope, context.pathParams.account, context.pathParams.id),
    present: (row) => presentObject(renderBankAccount(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/accounts/:account/external_accounts', operationId: 'GetAccountsAccountExternalAccounts', summary: 'List bank accounts',
    parameters: object({ ...listParameters, object: enumeration(['bank_account', 'card']) }),
    response: { kind: 'list', type: 'bank_account' },
    handle: (context, params) => listExternalAccountPage(context.deps.db, context.scope, context.pathParams.account, params, { object: params.object }),
    present: (page, context) => presentList(page, context.path, renderBankAccount),
  }),
];
