import { listSetupAttemptPage } from '../../setup-intents/intents.ts';
import { renderSetupAttempt } from '../../setup-intents/render.ts';
import { defineRoute, presentList } from '../route.ts';
import { object, required, string } from '../schema.ts';
import { createdFilter, listParameters } from './common.ts';

/** SetupAttempts: each confirmation of a SetupIntent, newest first (Stripe's GET /v1/setup_attempts). */
export const setupAttemptRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/setup_attempts', operationId: 'GetSetupAttempts', summary: "List a SetupIntent's SetupAttempts",
    parameters: object({ ...listParameters, ...createdFilter, setup_intent: required(string({ maxLength: 255 })) }),
    response: { kind: 'list', type: 'setup_attempt' },
    handle: (context, params) => listSetupAttemptPage(context.deps.db, context.scope, params, params.setup_intent),
    present: (page, context) => presentList(page, context.path, renderSetupAttempt),
  }),
];
