import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createMollieClient, type MollieClient } from '@mollie/api-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { OpenApiSpec } from './openapi-spec.ts';

/**
 * The official Mollie Node client (`@mollie/api-client`) pointed at the Mollie sandbox, and what it needs to get there.
 *
 * The client only speaks HTTPS: it sends every request through an `https.Agent` whose trusted roots are its own bundled
 * copy of Mozilla's CA list (so neither an `http:` endpoint nor NODE_EXTRA_CA_CERTS works). The sandbox therefore
 * serves HTTPS with a certificate made for the test run, and `mollieClient` adds that one certificate to the roots of
 * the client's agent while the client is built (the agent is created in its constructor). Verification stays on:
 * host name and chain are checked as against api.mollie.com.
 */

/** A self-signed certificate for 127.0.0.1 and localhost, made with the `openssl` command for this test run. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'mollie-sandbox-tls-'));
  try {
    const keyFile = path.join(directory, 'key.pem');
    const certFile = path.join(directory, 'cert.pem');
    const result = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-keyout', keyFile, '-out', certFile, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl could not make a test certificate: ${result.error?.message ?? result.stderr}`);
    return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** The official client for a sandbox at `url` serving `certificate`. */
export function mollieClient(url: string, apiKey: string, certificate: string): MollieClient {
  const OriginalAgent = https.Agent;
  class AgentTrustingTheSandbox extends OriginalAgent {
    constructor(options?: https.AgentOptions) {
      super({ ...options, ca: [...[options?.ca ?? []].flat(), certificate] as string[] });
    }
  }
  (https as { Agent: typeof https.Agent }).Agent = AgentTrustingTheSandbox;
  try {
    return createMollieClient({ apiKey, apiEndpoint: `${url}/v2/` });
  } finally {
    (https as { Agent: typeof https.Agent }).Agent = OriginalAgent;
  }
}

/** `fetch` for plain HTTP(S) calls to the sandbox (the checkout page, raw API calls), trusting its certificate. */
export function sandboxFetch(certificate: string): (url: string, init?: Parameters<typeof undiciFetch>[1]) => ReturnType<typeof undiciFetch> {
  const dispatcher = new Agent({ connect: { ca: certificate } });
  return (url, init) => undiciFetch(url, { ...init, dispatcher });
}

/**
 * Mollie's OpenAPI description, when `PAYRAIL_MOLLIE_SPEC` names a JSON copy of it (github.com/mollie/openapi,
 * `specs.yaml` converted to JSON). It is not vendored: Mollie licenses it CC BY-NC-SA 4.0, which forbids commercial
 * use, and Payrail (Apache-2.0) must stay usable commercially. Without it the raw answers are checked by the official
 * client's parsing and the tests' own assertions only. Mollie documents its bodies as application/hal+json; the
 * shared validator reads application/json, so the entries are renamed on load.
 */
export function mollieSpec(): OpenApiSpec | undefined {
  const file = process.env.PAYRAIL_MOLLIE_SPEC;
  return file ? OpenApiSpec.load(path.resolve(file), { transform: halAsJson }) : undefined;
}

/** Renames every `application/hal+json` content entry of the document to `application/json`. */
function halAsJson(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) halAsJson(item);
    return;
  }
  const record = node as Record<string, unknown>;
  if ('application/hal+json' in record && !('application/json' in record)) {
    record['application/json'] = record['application/hal+json'];
    delete record['application/hal+json'];
  }
  for (const value of Object.values(record)) halAsJson(value);
}
