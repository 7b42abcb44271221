import fs from 'node:fs';
import path from 'node:path';

// Which process runs an embedded cluster: the server named by its postmaster.pid (checked live, not a zombie, and
// really this cluster's server) and the Payrail process that owns it (`<cluster>.owner`). Split from
// embedded-postgres.ts, which starts and stops the server: this file only reads the process table and pid files.

/**
 * Whether a process exists and has not exited. A zombie (exited, not yet reaped: a server whose parent died is
 * reparented to an init that may be slow to reap it) answers kill(pid, 0) but is gone for our purposes.
 */
export function isAlive(pid: number): boolean {
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

/**
 * The Payrail process that owns (started, and will stop) the server of a cluster folder records its pid here. A
 * server whose owner died (killed, crashed) keeps running; the next `payrail start` adopts it.
 */
export function ownerFile(clusterDirectory: string): string {
  return `${clusterDirectory}.owner`;
}

export function ownerAlive(clusterDirectory: string): boolean {
  try {
    const pid = Number(fs.readFileSync(ownerFile(clusterDirectory), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid);
  } catch {
    return false;
  }
}

export async function waitUntilGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

