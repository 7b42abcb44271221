import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { defaultStripeSpecFile, generateStripeSchemas, generatedSchemasFile, renderedFieldsFile } from '../../scripts/generate-openapi-schemas.ts';
import { errorCatalogue } from '../platform/errors.ts';
import { buildOpenApi } from './openapi.ts';
import { allRoutes } from './routes/index.ts';

describe('OpenAPI document', () => {
  const routes = allRoutes();
  const document = buildOpenApi(routes) as { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> }; tags: { name: string }[]; servers: { url: string }[] };

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
        // A file upload (POST /v1/files) is a multipart body whose `file` part is binary; its other parts are the parameters.
        const content = route.acceptsFiles ? operation.requestBody.content['multipart/form-data'] : operation.requestBody.content['application/x-www-form-urlencoded'];
        const schema = content.schema;
        for (const [name, property] of Object.entries(expected.properties)) {
          if (route.acceptsFiles && name === 'file') assert.equal(schema.properties.file.format, 'binary', `${route.operationId} file`);
          else assert.deepEqual(schema.properties[name], property, `${route.operationId} ${name}`);
        }
        assert.ok(schema.properties.expand, 'expand is accepted everywhere');
      } else {
        const names = operation.parameters.filter((parameter: { in: string }) => parameter.in === 'query').map((parameter: { name: string }) => parameter.name);
        for (const name of Object.keys(expected.properties)) assert.ok(names.includes(name), `${route.operationId} query ${name}`);
      }
    }
  });

  it('refers only to schemas it defines', () => {
    const text = JSON.stringify(document);
    for (const match of text.matchAll(/#\/components\/schemas\/([a-z0-9_.]+)/g)) assert.ok(match[1] in document.components.schemas, match[1]);
  });

  it('ships response schemas generated from the Stripe spec and the rendered fields as they are now', (context) => {
    if (!fs.existsSync(defaultStripeSpecFile)) {
      // CI checks shared/ out beside the repository; without it there is nothing to compare against.
      context.skip(`Stripe's spec is not at ${defaultStripeSpecFile}`);
      return;
    }
    const expected = generateStripeSchemas(JSON.parse(fs.readFileSync(defaultStripeSpecFile, 'utf8')), JSON.parse(fs.readFileSync(renderedFieldsFile, 'utf8')));
    assert.deepEqual(JSON.parse(fs.readFileSync(generatedSchemasFile, 'utf8')), expected, 'stale: run `node --import tsx scripts/generate-openapi-schemas.ts` and commit src/api/openapi/stripe-schemas.json');
  });

  it('gives every answer a typed schema: Stripe objects closed with their fields, lists as envelopes of them', () => {
    for (const route of routes) {
      const operation = document.paths[route.path.replace(/:([a-z_]+)/g, '{$1}')][route.method.toLowerCase()];
      const schema = operation.responses[200].content?.['application/json']?.schema;
      if (route.response.kind === 'none') continue;
      assert.ok(schema && (schema.$ref || schema.anyOf || schema.properties), `${route.operationId} has a response schema`);
      if (route.response.kind === 'list') assert.ok(schema.properties.data.items, `${route.operationId} lists typed items`);
    }
    const charge = document.components.schemas.charge;
    assert.equal(charge.additionalProperties, false);
    assert.ok(charge.properties.amount.description, "Stripe's descriptions are kept");
    assert.ok(charge.properties.payrail_routing.description.startsWith('Payrail extension'));
    assert.deepEqual(document.paths['/v1/customers/{id}'].delete.responses[200].content['application/json'].schema, { $ref: '#/components/schemas/deleted_customer' });
    assert.deepEqual(document.paths['/v1/customers/{id}'].get.responses[200].content['application/json'].schema, { anyOf: [{ $ref: '#/components/schemas/customer' }, { $ref: '#/components/schemas/deleted_customer' }] });
    assert.deepEqual(document.paths['/v1/customers/{id}/sources/{source}'].get.responses[200].content['application/json'].schema, { $ref: '#/components/schemas/card' });
  });

  it('declares 4XX and 5XX answers with the error envelope, whose codes are the catalogue', () => {
    for (const route of routes) {
      const operation = document.paths[route.path.replace(/:([a-z_]+)/g, '{$1}')][route.method.toLowerCase()];
      assert.deepEqual(operation.responses['4XX'].content['application/json'].schema, { $ref: '#/components/schemas/error' }, route.operationId);
      assert.ok(operation.responses['5XX'], route.operationId);
    }
    assert.deepEqual(document.components.schemas.api_errors.properties.code.enum, Object.keys(errorCatalogue));
    assert.deepEqual(document.components.schemas.api_errors.properties.type.enum, ['api_error', 'card_error', 'idempotency_error', 'invalid_request_error']);
  });

  it('has servers, and a declared tag on every operation', () => {
    assert.ok(document.servers.length > 0);
    const declared = new Set(document.tags.map((tag) => tag.name));
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        assert.equal(operation.tags?.length, 1, `${method} ${path}`);
        assert.ok(declared.has(operation.tags[0]), `${method} ${path}: ${operation.tags[0]}`);
      }
    }
    assert.deepEqual(document.paths['/v1/accounts/{account}/external_accounts'].get.tags, ['External accounts']);
    assert.deepEqual(document.paths['/v1/payment_intents/{id}/confirm'].post.tags, ['PaymentIntents']);
  });
});
