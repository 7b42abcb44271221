import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { payrailCli, startSandboxProcess } from '../../../test/helpers/platform-process.ts';

describe('payrail sandbox mollie', () => {
  it('runs the sandbox as its own HTTP server with the given API key, and stops on SIGTERM', async () => {
    const apiKey = 'test_clikeyclikeyclikeyclikeyclikey';
    const { child, url } = await startSandboxProcess('mollie', ['--port', '0', '--api-key', apiKey, '--direct-debit-settle-ms', 'never', '--webhook-retry-delays-ms', 'mollie']);
    try {
      const created = await fetch(`${url}/v2/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'amount[currency]=EUR&amount[value]=5.00&description=CLI&redirectUrl=https://shop.example/return',
      });
      assert.equal(created.status, 201);
      const records = (await (await fetch(`${url}/sandbox/admin/records`)).json()) as { payments: { amount: { value: string } }[] };
      assert.deepEqual(records.payments.map((payment) => payment.amount.value), ['5.00']);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses bad arguments with exit code 2', () => {
    const result = spawnSync(process.execPath, [payrailCli, 'sandbox', 'mollie', '--api-key', 'live_abc'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--api-key must be test_ followed by 30 letters or digits/);
    const delays = spawnSync(process.execPath, [payrailCli, 'sandbox', 'mollie', '--webhook-retry-delays-ms', '10,soon'], { encoding: 'utf8' });
    assert.equal(delays.status, 2);
    assert.match(delays.stderr, /--webhook-retry-delays-ms must be mollie or up to 20/);
  });
});
