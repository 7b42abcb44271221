import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runFuzz, summarizeFindings } from './helpers/fuzz.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * A bounded fuzz run over every operation of /v1/openapi.json (see test/helpers/fuzz.ts; `npm run bench:fuzz` runs
 * many more). Set PAYRAIL_FUZZ_SEED to replay a run; the seed of every run is printed.
 */

const seed = Number(process.env.PAYRAIL_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const requests = Number(process.env.PAYRAIL_FUZZ_REQUESTS ?? 2500);

describe('fuzzing the API with hostile input', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  it(`answers ${requests} hostile requests without a 5xx, a connection error, an unshaped error or an echoed card number`, async (context) => {
    context.diagnostic(`fuzz seed ${seed} (replay: PAYRAIL_FUZZ_SEED=${seed} npm test -- test/fuzz)`);
    console.log(`# fuzz seed ${seed}`);
    const report = await runFuzz({ baseUrl: server.baseUrl, secretKey: server.account.secretKey, publishableKey: server.account.publishableKey }, { seed, requests, concurrency: 4 });
    context.diagnostic(`statuses ${JSON.stringify(report.byStatus)}; kinds ${JSON.stringify(report.byKind)}`);
    assert.equal(report.requests, requests);
    assert.deepEqual(report.findings, [], `seed ${seed}:\n${summarizeFindings(report.findings)}`);
    if (requests >= 1000) {
      // The run did reach the handlers, not only the edge (some requests succeeded, many were refused), and the
      // transport-level refusals happened too.
      for (const status of [200, 400, 404, 413, 415, 431]) assert.ok((report.byStatus[status] ?? 0) > 0, `no ${status} in ${JSON.stringify(report.byStatus)}`);
    }
  });
});
