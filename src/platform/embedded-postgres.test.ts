import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runningServer } from './postgres-processes.ts';

/**
 * How a start reads a cluster's postmaster.pid: it is believed only when its pid is a live `postgres -D <this
 * cluster>`; a file left by a server that died (its pid dead, or reused by another process) is stale and removed.
 * Real servers are exercised by test/crash.test.ts; here the processes named in the file are stand-ins.
 */
describe('runningServer (postmaster.pid)', () => {
  let cluster: string;
  const children: ChildProcess[] = [];
  before(() => {
    cluster = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-pidfile-')), 'postgres');
    fs.mkdirSync(cluster);
  });
  after(() => {
    for (const child of children) child.kill('SIGKILL');
    fs.rmSync(path.dirname(cluster), { recursive: true, force: true });
  });

  /**
   * A live process whose command line is `postgres <args>` (node running an idle loop under that name). spawn returns
   * after the exec, so the command line is in place.
   */
  function standIn(args: string[]): number {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)', '--', ...args], { argv0: 'postgres', stdio: 'ignore' });
    children.push(child);
    return child.pid!;
  }

  function writePidFile(pid: number): string {
    const file = path.join(cluster, 'postmaster.pid');
    fs.writeFileSync(file, [pid, cluster, '1733472000', '54321', cluster, '127.0.0.1', '0 0', 'ready', ''].join('\n'));
    return file;
  }

  it('believes a pid file naming a live postgres of this cluster, and keeps it', { skip: !fs.existsSync('/proc/self/cmdline') }, () => {
    const pid = standIn(['-D', cluster, '-p', '54321']);
    const file = writePidFile(pid);
    const lines: string[] = [];
    assert.deepEqual(runningServer(cluster, (line) => lines.push(line)), { pid, port: 54321, socketDirectory: cluster });
    assert.ok(fs.existsSync(file));
    assert.deepEqual(lines, []);
  });

  it('removes a pid file whose pid now belongs to another process, even another postgres', { skip: !fs.existsSync('/proc/self/cmdline') }, () => {
    const other = standIn(['-D', path.join(path.dirname(cluster), 'another-cluster')]);
    for (const pid of [other, process.pid]) {
      const file = writePidFile(pid);
      const lines: string[] = [];
      assert.equal(runningServer(cluster, (line) => lines.push(line)), undefined);
      assert.equal(fs.existsSync(file), false, `pid ${pid}`);
      assert.match(lines.join('\n'), /not shut down last time/);
    }
  });

  it('removes a pid file whose pid has exited', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    const file = writePidFile(child.pid!);
    assert.equal(runningServer(cluster, () => undefined), undefined);
    assert.equal(fs.existsSync(file), false);
  });

  it('finds no server when there is no pid file', () => {
    assert.equal(runningServer(cluster, () => undefined), undefined);
  });
});
