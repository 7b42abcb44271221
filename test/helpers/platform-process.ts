import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `payrail` CLI of this checkout. */
export const payrailCli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/payrail.mjs');

export interface PlatformProcess {
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output: () => string;
  secretKey: string;
  publishableKey: string;
  accountId: string;
}

/**
 * Runs `payrail start` as its own process (as a user would) and waits until it has printed the demo account's keys.
 * Used by the CLI and fault tests and by the benchmark.
 */
export async function startPlatform(env: NodeJS.ProcessEnv): Promise<PlatformProcess> {
  const child = spawn(process.execPath, [payrailCli, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (output.includes('Test publishable key')) {
        clearInterval(check);
        resolve();
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(check);
      reject(new Error(`payrail start exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    secretKey: /Test secret key\s+(sk_test_\w+)/.exec(output)![1],
    publishableKey: /Test publishable key\s+(pk_test_\w+)/.exec(output)![1],
    accountId: /Demo platform account\s+(acct_\w+)/.exec(output)![1],
  };
}

/** The process id of `payrail start`'s webhook delivery worker child, as it logged it when it started. */
export function workerPidOf(started: PlatformProcess): number {
  const pids = [...started.output().matchAll(/webhook delivery worker (?:running|restarted) \(pid (\d+)\)/g)].map((match) => Number(match[1]));
  if (pids.length === 0) throw new Error(`payrail start logged no webhook delivery worker:\n${started.output()}`);
  return pids[pids.length - 1];
}

/** Whether a process of this id still runs (a zombie not yet reaped counts as gone). */
export function processExists(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** SIGTERM (graceful shutdown) and the exit code. */
export async function stopPlatform(started: PlatformProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => started.child.on('exit', (code) => resolve(code)));
  started.child.kill('SIGTERM');
  return exited;
}

/**
 * Runs `payrail sandbox <provider> ...args` as its own process (as a user would) and waits until it prints the address
 * it listens on. Used by the sandbox CLI tests and by the Adyen benchmark.
 */
export async function startSandboxProcess(provider: 'adyen' | 'paypal' | 'mollie' | 'mercadopago' | 'razorpay', args: string[], timeoutMs = 30_000): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [payrailCli, 'sandbox', provider, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let timer: NodeJS.Timeout | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code) => reject(new Error(`payrail sandbox ${provider} exited with ${code}:\n${output}`)));
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`payrail sandbox ${provider} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
  }).finally(() => clearTimeout(timer));
  return { child, url };
}

/** The folder of a data folder's embedded PostgreSQL cluster. */
export function clusterDirectoryOf(dataDirectory: string): string {
  return path.join(dataDirectory, 'postgres');
}

/**
 * The pid of the PostgreSQL server running on a data folder's cluster, read from postmaster.pid and confirmed in
 * /proc (a postgres process whose command line names that cluster), or undefined when none runs.
 */
export function postgresPidOf(dataDirectory: string): number | undefined {
  const cluster = clusterDirectoryOf(dataDirectory);
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  try {
    const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return commandLine.some((argument) => argument.endsWith('postgres')) && commandLine.includes(cluster) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes a test's data folder, first killing a PostgreSQL still running on its cluster (a test that failed half-way
 * must not leave a server running on a deleted folder). The server runs in its own process group.
 */
export function removeDataDirectory(dataDirectory: string): void {
  const pid = postgresPidOf(dataDirectory);
  if (pid !== undefined) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let round = 0; round < 100 && postgresPidOf(dataDirectory) !== undefined; round += 1) Atomics.wait(pause, 0, 0, 50);
  }
  fs.rmSync(dataDirectory, { recursive: true, force: true });
}
