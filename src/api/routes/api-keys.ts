import { permissionLevels, permissionResources, type PermissionLevel, type PermissionResource, type Permissions } from '../../api-keys/permissions.ts';
import { renderApiKey } from '../../api-keys/render.ts';
import { createApiKey, keyNameLengthMax, listApiKeys, retrieveApiKey, revokeApiKey, rollApiKey, rollOverlapSecondsMax } from '../../api-keys/service.ts';
import { defineRoute, presentList, presentObject, type RouteContext } from '../route.ts';
import { boolean, emptyable, enumeration, integer, object, required, string } from '../schema.ts';
import { listParameters, noParameters } from './common.ts';

/**
 * Key management, a Payrail extension (Stripe manages keys in its dashboard only). Only a secret key may call these
 * routes (see api-keys/permissions.ts); each works within the caller's account and mode.
 */

const permissionsParameter = object(
  Object.fromEntries(permissionResources.map((resource) => [resource, enumeration(permissionLevels, { description: `Access to ${resource} objects: none, read, or write (which implies read).` })])) as Record<PermissionResource, ReturnType<typeof enumeration<PermissionLevel>>>,
  { description: 'For a restricted key: each resource and its access (none, read, write).' },
);

function grantedPermissions(input: Partial<Record<PermissionResource, PermissionLevel | undefined>> | undefined): Permissions | undefined {
  if (input === undefined) return undefined;
  const granted: Permissions = {};
  for (const resource of permissionResources) {
    const level = input[resource];
    if (level === 'read' || level === 'write') granted[resource] = level;
  }
  return granted;
}

const now = (context: RouteContext) => context.deps.clock.nowSeconds();

/** A key revoked or rolled through this process stops working here at once; other processes follow within a second. */
function forgetKeys<T>(context: RouteContext, result: T): T {
  context.deps.keys.forgetAll();
  return result;
}

export const apiKeyRoutes = [
  defineRoute({
    method: 'POST', path: '/v1/payrail/api_keys', operationId: 'PostPayrailApiKeys',
    summary: 'Create an API key (Payrail extension): secret, publishable, or restricted with per-resource permissions. The answer carries the key in `secret`, the only time it is shown',
    parameters: object({
      type: required(enumeration(['secret', 'publishable', 'restricted'] as const, { description: 'The kind of key: sk_, pk_ or rk_.' })),
      name: emptyable(string({ maxLength: keyNameLengthMax, description: 'A name to tell keys apart.' })),
      permissions: permissionsParameter,
    }, { required: ['type'] }),
    response: { kind: 'object', type: 'payrail_api_key' },
    handle: (context, params) => createApiKey(context.work, context.scope, { type: params.type, name: params.name, permissions: grantedPermissions(params.permissions) }, now(context)),
    present: (issued) => presentObject(renderApiKey(issued.row, issued.secret)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/payrail/api_keys/:id', operationId: 'GetPayrailApiKeysKey', summary: 'Retrieve an API key (Payrail extension; the key itself is never shown again)',
    parameters: noParameters,
    response: { kind: 'object', type: 'payrail_api_key' },
    handle: (context) => retrieveApiKey(context.deps.db, context.scope, context.pathParams.id),
    present: (row) => presentObject(renderApiKey(row)),
  }),
  defineRoute({
    method: 'GET', path: '/v1/payrail/api_keys', operationId: 'GetPayrailApiKeys', summary: 'List the API keys of the account and mode, newest first (Payrail extension)',
    parameters: object({ ...listParameters, include_inactive: boolean({ description: 'Also list revoked keys and rolled keys past their overlap.' }) }),
    response: { kind: 'list', type: 'payrail_api_key' },
    handle: (context, params) => listApiKeys(context.deps.db, context.scope, params, now(context)),
    present: (page, context) => presentList(page, context.path, (row) => renderApiKey(row)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/payrail/api_keys/:id/roll', operationId: 'PostPayrailApiKeysKeyRoll',
    summary: 'Roll an API key (Payrail extension): a new key of the same type and permissions; the old one works for `expires_in` more seconds (0: ends now)',
    parameters: object({ expires_in: integer({ minimum: 0, maximum: rollOverlapSecondsMax, description: `Seconds the old key keeps working, 0 to ${rollOverlapSecondsMax} (default 0).` }) }),
    response: { kind: 'object', type: 'payrail_api_key' },
    handle: async (context, params) => forgetKeys(context, await rollApiKey(context.work, context.scope, context.pathParams.id, params.expires_in ?? 0, now(context))),
    present: (issued) => presentObject(renderApiKey(issued.row, issued.secret)),
  }),
  defineRoute({
    method: 'POST', path: '/v1/payrail/api_keys/:id/revoke', operationId: 'PostPayrailApiKeysKeyRevoke',
    summary: 'Revoke an API key (Payrail extension): it stops working at once here and within a second in every Payrail process',
    parameters: noParameters,
    response: { kind: 'object', type: 'payrail_api_key' },
    handle: async (context) => forgetKeys(context, await revokeApiKey(context.work, context.scope, context.pathParams.id, now(context), context.caller.keyId)),
    present: (row) => presentObject(renderApiKey(row)),
  }),
];
