import { renderToken } from '../../tokens/render.ts';
import { createCardToken, retrieveToken } from '../../tokens/service.ts';
import { defineRoute, presentObject } from '../route.ts';
import { integer, object, required, string } from '../schema.ts';
import { legacyCardHolderFields, noParameters } from './common.ts';

/** Stripe's legacy card hash (tokens): card data plus the holder's name and address. */
const legacyCard = object({
  number: required(string({ maxLength: 40, description: 'The card number. Encrypted at rest and never returned.' })),
  exp_month: required(integer()),
  exp_year: required(integer()),
  cvc: string({ maxLength: 10, description: 'Checked for format; never stored.' }),
  ...legacyCardHolderFields,
  currency: string({ maxLength: 3, minLength: 3, description: 'Accepted for compatibility (Stripe uses it for Connect payout cards only); not stored.' }),
});

export const tokenRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/tokens', operationId: 'PostTokens',
    summary: 'Create a card token (legacy tokenization): single-use, usable as a charge source or to add a card to a customer',
    publishable: true,
    parameters: object({ card: required(legacyCard) }),
    response: { kind: 'object', type: 'token' },
    handle: (context, params) => createCardToken(context.work, context.deps, context.scope, params.card, context.clientIp),
    present: (result) => presentObject(renderToken(result.token, result.card)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/tokens/:id', operationId: 'GetTokensToken', summary: 'Retrieve a token',
    parameters: noParameters,
    response: { kind: 'object', type: 'token' },
    handle: (context) => retrieveToken(context.deps.db, context.scope, context.pathParams.id),
    present: (result) => presentObject(renderToken(result.token, result.card)),
  }),
];
