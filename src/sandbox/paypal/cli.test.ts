import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startSandboxProcess } from '../../../test/helpers/platform-process.ts';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/payrail.mjs');

describe('payrail sandbox paypal', () => {
  it('runs the sandbox as its own HTTP server with the given credentials, and stops on SIGTERM', async () => {
    const { child, url } = await startSandboxProcess('paypal', ['--port', '0', '--client-id', 'cli-id', '--client-secret', 'cli-secret']);
    try {
      const token = await fetch(`${url}/v1/oauth2/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('cli-id:cli-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      assert.equal(token.status, 200);
      const { access_token: accessToken } = (await token.json()) as { access_token: string };
      const order = await fetch(`${url}/v2/checkout/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ intent: 'CAPTURE', purchase_units: [{ amount: { currency_code: 'USD', value: '5.00' } }] }),
      });
      assert.equal(order.status, 201);
      const records = (await (await fetch(`${url}/sandbox/admin/records`)).json()) as { orders: { amount: { value: string } }[] };
      assert.deepEqual(records.orders.map((record) => record.amount.value), ['5.00']);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses bad arguments with exit code 2', () => {
    const result = spawnSync(process.execPath, [cli, 'sandbox', 'paypal', '--webhook-id', 'not-valid!'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--webhook-id must be 1 to 50 letters and digits/);
  });
});
