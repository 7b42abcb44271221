import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startSandboxProcess } from '../../../test/helpers/platform-process.ts';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/payrail.mjs');

describe('payrail sandbox adyen', () => {
  it('runs the sandbox as its own HTTP server with the given key, and stops on SIGTERM', async () => {
    const { child, url } = await startSandboxProcess('adyen', ['--port', '0', '--api-key', 'cli-key', '--capture', 'manual']);
    try {
      const payment = await fetch(`${url}/v71/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'cli-key' },
        body: JSON.stringify({
          amount: { value: 500, currency: 'USD' },
          reference: 'cli-order',
          merchantAccount: 'PayrailTestECOM',
          returnUrl: 'https://shop.example/return',
          paymentMethod: { type: 'scheme', number: '4111111145551142', expiryMonth: '03', expiryYear: '2030', cvc: '737' },
        }),
      });
      assert.equal(payment.status, 200);
      assert.equal(((await payment.json()) as { resultCode: string }).resultCode, 'Authorised');
      const records = (await (await fetch(`${url}/sandbox/admin/records`)).json()) as { payments: { captureMode: string }[] };
      assert.deepEqual(records.payments.map((record) => record.captureMode), ['manual']);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses bad arguments with exit code 2', () => {
    const result = spawnSync(process.execPath, [cli, 'sandbox', 'adyen', '--capture', 'later'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--capture must be immediate or manual/);
  });
});
