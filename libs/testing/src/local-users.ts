import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface LocalUser {
  readonly name: string;
  readonly home: string;
  /**
   * Deletes the account, its home directory and what it left in /tmp and /var/tmp (e.g. ansible's temporary
   * directories), after ending the processes still running under its uid (userdel refuses otherwise). Idempotent.
   */
  remove(): Promise<void>;
}

/**
 * A throwaway Linux account `<prefix><random>` with a home directory, a `/bin/sh` shell and `password` (given to
 * chpasswd on stdin, never on a command line), e.g. the target of an ansible `become_method: su`, which needs a
 * real password check. Needs root: on this project's machines the tests run as root; the account is removed by
 * `remove()` (call it in afterAll).
 */
export async function createLocalUser(prefix: string, password: string): Promise<LocalUser> {
  if (process.getuid?.() !== 0) throw new Error('createLocalUser needs root (useradd, chpasswd)');
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(prefix)) throw new Error('prefix: a lower-case name of at most 16 characters');
  if (/[:\n]/.test(password)) throw new Error('password must not contain ":" or a newline');
  const name = `${prefix}${randomBytes(4).toString('hex')}`;
  await execFileAsync('useradd', ['--create-home', '--shell', '/bin/sh', '--', name]);
  let removed: Promise<void> | undefined;
  const user: LocalUser = {
    name,
    home: '',
    remove() {
      removed ??= removeUser(name);
      return removed;
    },
  };
  try {
    await chpasswd(`${name}:${password}\n`);
    const { stdout } = await execFileAsync('getent', ['passwd', name]);
    return { ...user, home: stdout.trim().split(':')[5] ?? '' };
  } catch (err) {
    await user.remove();
    throw err;
  }
}

function chpasswd(input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('chpasswd', [], { stdio: ['pipe', 'ignore', 'pipe'], env: { PATH: process.env.PATH } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`chpasswd failed (${code}): ${stderr}`))));
    child.stdin.end(input);
  });
}

async function removeUser(name: string): Promise<void> {
  const uid = await uidOf(name);
  if (uid === null) return;
  await killProcessesOf(uid);
  await removeTopLevelFilesOf(uid, ['/tmp', '/var/tmp']);
  // userdel complains about a missing mail spool; that does not matter here.
  await execFileAsync('userdel', ['--remove', '--', name]).catch(() => undefined);
}

async function uidOf(name: string): Promise<number | null> {
  try {
    const { stdout } = await execFileAsync('getent', ['passwd', name]);
    return Number(stdout.split(':')[2]);
  } catch {
    return null; // already gone
  }
}

/** SIGKILL, by pid, to every process whose real or effective uid is `uid` (all of them were started for it). */
async function killProcessesOf(uid: number): Promise<void> {
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
      if (uids && (Number(uids[1]) === uid || Number(uids[2]) === uid)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // ended meanwhile
    }
  }
}

async function removeTopLevelFilesOf(uid: number, dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    for (const entry of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, entry);
      const st = await lstat(path).catch(() => null);
      if (st?.uid === uid) await rm(path, { recursive: true, force: true });
    }
  }
}
