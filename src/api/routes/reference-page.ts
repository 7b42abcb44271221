import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { referenceDocument } from '../openapi-reference.ts';

/**
 * The human-readable API reference: Redoc's standalone bundle (from the `redoc` npm package, served from
 * node_modules, never a CDN) rendering the OpenAPI document with expandable fields shown as ids
 * (`/docs/openapi.json`, openapi-reference.ts). The page needs no inline script: the bundle renders the
 * `<redoc spec-url>` element itself.
 */
export const referencePagePath = '/docs';
export const referenceScriptPath = '/docs/redoc.standalone.js';
export const referenceDocumentPath = '/docs/openapi.json';

const require = createRequire(import.meta.url);
let script: Buffer | undefined;

/**
 * Only Payrail's own origin: the bundle's styled-components need inline styles and its search runs in a blob: worker;
 * the "API docs by Redocly" logo the bundle would load from the vendor's CDN is blocked (Redoc hides it on error).
 */
export const referencePageContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'";

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Payrail API reference</title>
</head>
<body>
<redoc spec-url="${referenceDocumentPath}" expand-responses="200"></redoc>
<script src="${referenceScriptPath}"></script>
</body>
</html>
`;

export function registerReferencePage(app: FastifyInstance, document: Record<string, unknown>): void {
  const reference = referenceDocument(document);
  app.get(referenceDocumentPath, async (_request, reply) => {
    reply.header('Cache-Control', 'no-cache');
    return reply.send(reference);
  });
  app.get(referencePagePath, async (_request, reply) => {
    reply.header('Content-Security-Policy', referencePageContentSecurityPolicy);
    reply.header('Cache-Control', 'no-cache');
    reply.type('text/html; charset=utf-8').send(html);
  });
  app.get(referenceScriptPath, async (_request, reply) => {
    // Read once, on first use: 1 MB that most processes (and most tests) never serve.
    script ??= fs.readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'));
    reply.header('Cache-Control', 'public, max-age=3600');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.type('application/javascript; charset=utf-8').send(script);
  });
}
