import { configurableTypes, displayPreferences } from '../../payment-method-configurations/preferences.ts';
import { renderPaymentMethodConfiguration } from '../../payment-method-configurations/render.ts';
import {
  createConfiguration, listConfigurationPage, modifyConfiguration, preferencesOf, retrieveConfiguration,
} from '../../payment-method-configurations/service.ts';
import { defineRoute, presentList, presentObject } from '../route.ts';
import { boolean, emptyable, enumeration, object, string, type Schema } from '../schema.ts';
import { listParameters, noParameters } from './common.ts';

/** Each type's `<type>[display_preference][preference]`: on, off, or none (forget the account's choice). */
function typeParameters(): Record<string, Schema<unknown>> {
  const parameters: Record<string, Schema<unknown>> = {};
  for (const type of configurableTypes()) {
    parameters[type] = object({
      display_preference: object({
        preference: enumeration(displayPreferences, { description: `Whether ${type} is offered: on, off, or none for Payrail's default (cards on, other types off).` }),
      }),
    });
  }
  return parameters;
}

const configurationName = string({ minLength: 1, maxLength: 100 });

export const paymentMethodConfigurationRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/payment_method_configurations', operationId: 'PostPaymentMethodConfigurations', summary: 'Create a payment method configuration',
    parameters: object({ ...typeParameters(), name: configurationName }),
    response: { kind: 'object', type: 'payment_method_configuration' },
    handle: (context, params) => createConfiguration(context.work, context.deps, context.scope, { name: params.name, preferences: preferencesOf(params) }),
    present: (found) => presentObject(renderPaymentMethodConfiguration(found.row, found.available)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/payment_method_configurations/:id', operationId: 'GetPaymentMethodConfigurationsId', summary: 'Retrieve a payment method configuration',
    parameters: noParameters,
    response: { kind: 'object', type: 'payment_method_configuration' },
    handle: (context) => retrieveConfiguration(context.deps, context.scope, context.pathParams.id),
    present: (found) => presentObject(renderPaymentMethodConfiguration(found.row, found.available)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/payment_method_configurations/:id', operationId: 'PostPaymentMethodConfigurationsId', summary: 'Update a payment method configuration',
    parameters: object({ ...typeParameters(), name: configurationName, active: boolean({ description: 'Whether intents may use the configuration (the default one stays active).' }) }),
    response: { kind: 'object', type: 'payment_method_configuration' },
    handle: (context, params) => modifyConfiguration(context.work, context.deps, context.scope, context.pathParams.id, { name: params.name, active: params.active, preferences: preferencesOf(params) }),
    present: (found) => presentObject(renderPaymentMethodConfiguration(found.row, found.available)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/payment_method_configurations', operationId: 'GetPaymentMethodConfigurations', summary: 'List payment method configurations',
    parameters: object({
      ...listParameters,
      application: emptyable(string({ maxLength: 100, description: "Configurations of a Connect application: Payrail has none, so any value but '' lists nothing." })),
    }),
    response: { kind: 'list', type: 'payment_method_configuration' },
    handle: (context, params) => listConfigurationPage(context.deps, context.scope, params, params.application),
    present: (found, context) => presentList(found.page, context.path, (row) => renderPaymentMethodConfiguration(row, found.available)),
  }),
];
