import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startSandboxProcess } from '../../../test/helpers/platform-process.ts';
import { razorpaySdk } from '../../../test/helpers/razorpay-sdk.ts';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/payrail.mjs');

describe('payrail sandbox razorpay', () => {
  it('runs the sandbox as its own HTTP server with the given key, and stops on SIGTERM', async () => {
    const keyId = 'rzp_test_CliSandboxKey0';
    const { child, url } = await startSandboxProcess('razorpay', ['--port', '0', '--key-id', keyId, '--key-secret', 'cli-secret', '--capture', 'manual']);
    try {
      const order = await razorpaySdk(url, keyId, 'cli-secret').orders.create({ amount: 500, currency: 'INR', receipt: 'cli-1' });
      assert.equal(order.status, 'created');
      const records = (await (await fetch(`${url}/sandbox/admin/records`)).json()) as { orders: { receipt: string; capture: string }[] };
      assert.deepEqual(records.orders.map((record) => [record.receipt, record.capture]), [['cli-1', 'manual']]);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses bad arguments with exit code 2', () => {
    const result = spawnSync(process.execPath, [cli, 'sandbox', 'razorpay', '--key-id', 'rzp_live_NotATestKey000'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--key-id must be rzp_test_ and 14 letters and digits/);
  });
});
