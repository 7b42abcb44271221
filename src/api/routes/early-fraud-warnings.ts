import { listEarlyFraudWarningPage, renderEarlyFraudWarning, retrieveEarlyFraudWarning } from '../../disputes/early-fraud-warnings.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { object, string } from '../schema.ts';
import { createdFilter, listParameters, noParameters } from './common.ts';

export const earlyFraudWarningRoutes = [
  defineRoute({
    method: 'GET', path: '/v1/radar/early_fraud_warnings', operationId: 'GetRadarEarlyFraudWarnings', summary: 'List early fraud warnings',
    parameters: object({ ...listParameters, ...createdFilter, charge: string({ maxLength: 5000 }), payment_intent: string({ maxLength: 5000 }) }),
    response: { kind: 'list', type: 'radar.early_fraud_warning' },
    handle: (context, params) => listEarlyFraudWarningPage(context.deps.db, context.scope, params, { charge: params.charge, payment_intent: params.payment_intent }),
    present: (page, context) => presentList(page, context.path, renderEarlyFraudWarning),
  }),
  defineRoute({
    method: 'GET', path: '/v1/radar/early_fraud_warnings/:id', operationId: 'GetRadarEarlyFraudWarningsEarlyFraudWarning', summary: 'Retrieve an early fraud warning',
    parameters: noParameters,
    response: { kind: 'object', type: 'radar.early_fraud_warning' },
    handle: (context) => retrieveEarlyFraudWarning(context.deps.db, context.scope, context.pathParams.id),
    present: (view) => presentObject(renderEarlyFraudWarning(view)),
  }),
];
