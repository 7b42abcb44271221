import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PaymentLoad } from './load.ts';

/**
 * The closed-loop payment load driven by wrk (Debian's `wrk`, C with LuaJIT) instead of Node: it costs the box a
 * fraction of the CPU of an HTTP client in Node, so the two cores go to Payrail and PostgreSQL (issue 13). The Lua
 * script below sends the same request as `drivePayments`, a fresh Idempotency-Key on each when asked, and counts
 * an answer that is not a succeeded PaymentIntent as an error. wrk measures each latency from when the request was
 * sent, on `connections` keep-alive connections from two threads.
 */
export interface WrkResult {
  count: number;
  errors: number;
  p50: number;
  p99: number;
}

export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

function luaString(value: string): string {
  return JSON.stringify(value); // a JSON string is a valid Lua string literal for the ASCII we send
}

function script(load: PaymentLoad): string {
  return `
wrk.method = "POST"
wrk.body = ${luaString(load.body)}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = ${luaString(`Bearer ${load.secretKey}`)}
local keyed = ${load.idempotencyKeys ? 'true' : 'false'}
local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  failures = 0
  sent = 0
  math.randomseed(os.time() + thread_id * 7919)
  run_id = string.format("%x%x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
end

function request()
  if keyed then
    sent = sent + 1
    wrk.headers["Idempotency-Key"] = string.format("wrk-%s-%d-%d", run_id, thread_id, sent)
  end
  return wrk.format()
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"status":"succeeded"', 1, true) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + thread:get("failures") end
  io.write(string.format("PAYRAIL_RESULT %d %d %d %.3f %.3f\\n", summary.requests, failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`;
}

/** Drives `load` with wrk; the count is of answers received (wrk ends the run with requests still in flight). */
export async function drivePaymentsWithWrk(load: PaymentLoad): Promise<WrkResult> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-wrk-'));
  const file = path.join(directory, 'payments.lua');
  fs.writeFileSync(file, script(load));
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', ['-t', '2', '-c', String(load.connections), '-d', `${load.durationSeconds}s`, '--timeout', '30s', '-s', file, `${load.baseUrl}/v1/payment_intents`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}: ${text}`))));
    });
    const match = /PAYRAIL_RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)/.exec(output);
    if (!match) throw new Error(`wrk printed no result: ${output}`);
    const [, count, failed, socketErrors, p50, p99] = match;
    return { count: Number(count), errors: Number(failed) + Number(socketErrors), p50: Number(p50), p99: Number(p99) };
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}
