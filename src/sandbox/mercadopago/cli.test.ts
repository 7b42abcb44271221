import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startSandboxProcess } from '../../../test/helpers/platform-process.ts';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/payrail.mjs');
const accessToken = 'TEST-1234567890123456-120717-0123456789abcdef0123456789abcdef-123456789';

describe('payrail sandbox mercadopago', () => {
  it('runs the sandbox as its own HTTP server with the given access token, and stops on SIGTERM', async () => {
    const { child, url } = await startSandboxProcess('mercadopago', ['--port', '0', '--access-token', accessToken]);
    try {
      const payment = await fetch(`${url}/v1/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', 'x-idempotency-key': 'cli-test' },
        body: JSON.stringify({ transaction_amount: 12.34, payment_method_id: 'pix', payer: { email: 'cli@payrail-sandbox.com.br' } }),
      });
      assert.equal(payment.status, 201);
      assert.equal(((await payment.json()) as { status: string }).status, 'pending');
      const records = (await (await fetch(`${url}/sandbox/admin/records`)).json()) as { payments: { amountMinor: number }[] };
      assert.deepEqual(records.payments.map((record) => record.amountMinor), [1234]);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses bad arguments with exit code 2', () => {
    const result = spawnSync(process.execPath, [cli, 'sandbox', 'mercadopago', '--access-token', 'sk_live_wrong'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--access-token must start with TEST- or APP_USR-/);
  });
});
