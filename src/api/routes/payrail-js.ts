import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * payrail.js, Payrail's browser library (client/payrail-js/, docs/payrail-js.md), and the page of the iframe that
 * holds the card fields. Both are bundled from TypeScript by esbuild the first time one is asked for, in memory, and
 * kept for the life of the process: `npm start` and `npm test` need no build step and nothing built is committed.
 *
 * The frame page is the one Payrail page that other sites may frame (its whole purpose); everything else it may do is
 * narrowed to Payrail's own origin: its script and style, and its API calls.
 */
export const payrailScriptPath = '/v1/payrail.js';
export const payrailDeclarationsPath = '/v1/payrail.d.ts';
export const elementsFramePath = '/v1/elements/frame';
const frameScriptPath = '/v1/elements/frame.js';
const frameStylePath = '/v1/elements/frame.css';

/** The client's sources (not imported by the server: only read and bundled here). */
const clientDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../client/payrail-js');

/**
 * The frame's policy: its own script and style only, API calls to its own origin only, no forms, no base, and any
 * site may frame it (the merchant's checkout page). The merchant's page cannot read into it: the browser's same-origin
 * policy keeps another origin out of the frame's document, and the frame answers only the origin that framed it.
 */
export const elementsFrameContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors *";

/** How long browsers may reuse the files before asking again (then the ETag makes it a 304). */
const cacheMaxAgeSeconds = 300;

interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

interface Assets {
  script: Asset;
  frameScript: Asset;
  frameStyle: Asset;
  framePage: Asset;
  declarations: Asset;
}

function asset(body: Buffer | string, contentType: string): Asset {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { body: bytes, contentType, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"` };
}

async function buildAssets(): Promise<Assets> {
  const result = await build({
    entryPoints: { payrail: path.join(clientDirectory, 'payrail.ts'), frame: path.join(clientDirectory, 'frame.ts') },
    tsconfig: path.join(clientDirectory, 'tsconfig.json'),
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    charset: 'utf8',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const output = (name: string) => {
    const file = result.outputFiles.find((candidate) => path.basename(candidate.path) === name);
    if (!file) throw new Error(`esbuild produced no ${name}`);
    return Buffer.from(file.contents);
  };
  const javascript = 'application/javascript; charset=utf-8';
  const frameScript = asset(output('frame.js'), javascript);
  const frameStyle = asset(await fs.readFile(path.join(clientDirectory, 'frame.css')), 'text/css; charset=utf-8');
  // Relative addresses (so a Payrail behind a path prefix still works), versioned by content.
  const version = (item: Asset) => encodeURIComponent(item.etag.slice(1, 13));
  const framePage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>Payrail secure payment fields</title>
<link rel="stylesheet" href="frame.css?v=${version(frameStyle)}">
</head>
<body>
<script src="frame.js?v=${version(frameScript)}"></script>
</body>
</html>
`;
  return {
    script: asset(output('payrail.js'), javascript),
    frameScript,
    frameStyle,
    framePage: asset(framePage, 'text/html; charset=utf-8'),
    declarations: asset(await fs.readFile(path.join(clientDirectory, 'index.d.ts')), 'application/typescript; charset=utf-8'),
  };
}

let assets: Promise<Assets> | undefined;

/** Builds once per process, on first use; a failed build is tried again on the next request. */
export function payrailJsAssets(): Promise<Assets> {
  if (!assets) {
    assets = buildAssets();
    assets.catch(() => {
      assets = undefined;
    });
  }
  return assets;
}

function send(request: FastifyRequest, reply: FastifyReply, item: Asset): FastifyReply {
  reply.header('ETag', item.etag);
  reply.header('Cache-Control', `public, max-age=${cacheMaxAgeSeconds}`);
  const conditional = request.headers['if-none-match'];
  if (typeof conditional === 'string' && conditional.split(',').some((tag) => tag.trim().replace(/^W\//, '') === item.etag)) return reply.status(304).send();
  return reply.type(item.contentType).send(item.body);
}

export function registerPayrailJs(app: FastifyInstance): void {
  app.get(payrailScriptPath, async (request, reply) => {
    // Merchant pages load it from another origin, also those that isolate themselves (Cross-Origin-Embedder-Policy).
    reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
    return send(request, reply, (await payrailJsAssets()).script);
  });
  app.get(payrailDeclarationsPath, async (request, reply) => send(request, reply, (await payrailJsAssets()).declarations));
  app.get(frameScriptPath, async (request, reply) => send(request, reply, (await payrailJsAssets()).frameScript));
  app.get(frameStylePath, async (request, reply) => send(request, reply, (await payrailJsAssets()).frameStyle));
  app.get(elementsFramePath, async (request, reply) => {
    reply.header('Content-Security-Policy', elementsFrameContentSecurityPolicy);
    reply.header('Referrer-Policy', 'no-referrer');
    return send(request, reply, (await payrailJsAssets()).framePage);
  });
}
