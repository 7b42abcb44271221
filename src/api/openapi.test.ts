import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildOpenApi } from './openapi.ts';
import { allRoutes } from './routes/index.ts';

describe('OpenAPI document', () => {
  const routes = allRoutes();
  const document = buildOpenApi(routes) as { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown> } };

  it('describes every route Payrail serves, once, with a unique operationId', () => {
    const operationIds = new Set<string>();
    for (const route of routes) {
      const path = route.path.replace(/:([a-z_]+)/g, '{$1}');
      const operation = document.paths[path]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.path} is missing`);
      assert.equal(operationIds.has(operation.operationId), false, `duplicate operationId ${operation.operationId}`);
      operationIds.add(operation.operationId);
    }
    assert.ok(document.paths['/v1/openapi.json']?.get);
    assert.ok(document.paths['/3ds/{id}']?.get && document.paths['/3ds/{id}']?.post);
  });

  it('uses the validating schemas for request parameters', () => {
    for (const route of routes) {
      const path = route.path.replace(/:([a-z_]+)/g, '{$1}');
      const operation = document.paths[path][route.method.toLowerCase()];
      const expected = route.parameters.toJsonSchema() as { properties: Record<string, unknown> };
      if (route.method === 'POST') {
        const schema = operation.requestBody.content['application/x-www-form-urlencoded'].schema;
        for (const [name, property] of Object.entries(expected.properties)) assert.deepEqual(schema.properties[name], property, `${route.operationId} ${name}`);
        assert.ok(schema.properties.expand, 'expand is accepted everywhere');
      } else {
        const names = operation.parameters.filter((parameter: { in: string }) => parameter.in === 'query').map((parameter: { name: string }) => parameter.name);
        for (const name of Object.keys(expected.properties)) assert.ok(names.includes(name), `${route.operationId} query ${name}`);
      }
    }
  });

  it('refers only to schemas it defines', () => {
    const text = JSON.stringify(document);
    for (const match of text.matchAll(/#\/components\/schemas\/([a-z_]+)/g)) assert.ok(match[1] in document.components.schemas, match[1]);
  });
});
