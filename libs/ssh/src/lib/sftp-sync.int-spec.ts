import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { SyncCompare } from '@semaphore/models';
import { startSshd, type SshdServer } from '@semaphore/testing';
import { SshError, SshErrorCode, applySync, planSync, type SshConnection, type SyncPlan } from '../index';
import { openSession } from '../testing/fixtures';

const host = '127.0.0.1';
const T0 = 1_650_000_000;

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function write(path: string, content: string | Buffer, mtime = T0, mode = 0o644): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
  utimesSync(path, mtime, mtime);
}

/** Relative path -> sha256 of every file below `root`. */
function files(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, files(root, r));
    else if (entry.isFile()) out[r] = sha256(join(root, r));
  }
  return out;
}

describe('SFTP sync (plan and apply) against a real OpenSSH sshd', () => {
  let sshd: SshdServer;
  let conn: SshConnection;
  let sftp: SFTPWrapper;
  let work: string;
  let local: string;
  let remote: string;

  beforeAll(async () => {
    sshd = await startSshd();
    ({ conn, sftp } = await openSession(sshd));
    work = mkdtempSync(join(tmpdir(), 'semtest-sftp-sync-'));
    local = join(work, 'local');
    remote = join(work, 'remote', 'site');
    write(join(local, 'index.html'), '<h1>hello</h1>');
    write(join(local, 'bin', 'start.sh'), '#!/bin/sh\n', T0, 0o750);
    write(join(local, 'assets', 'img', 'logo.png'), Buffer.alloc(40_000, 1));
    write(join(local, 'assets', 'app.css'), 'body{}');
    chmodSync(join(local, 'bin'), 0o750);
    symlinkSync('index.html', join(local, 'home.html'));
  });

  afterAll(async () => {
    conn?.close();
    await sshd?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const plan = (compare: SyncCompare, deleteExtraneous = false, checksum = false): Promise<SyncPlan> =>
    planSync(sftp, local, remote, { compare, deleteExtraneous, host, checksumWith: checksum ? conn : undefined });

  it('sends everything to a missing remote directory, keeping modes and mtimes, then finds nothing to do', async () => {
    const first = await plan(SyncCompare.SizeMtime);
    expect(first).toEqual({
      upload: [
        { path: 'assets/app.css', bytes: 6, reason: 'new' },
        { path: 'assets/img/logo.png', bytes: 40_000, reason: 'new' },
        { path: 'bin/start.sh', bytes: 10, reason: 'new' },
        { path: 'index.html', bytes: 14, reason: 'new' },
      ],
      delete: [],
      unchanged: 0,
    });
    const applied = await applySync(sftp, local, remote, first, { host });
    expect(applied).toEqual({ uploaded: 4, deleted: 0, bytes: 40_030 });
    expect(files(remote)).toEqual(files(local));
    expect(statSync(join(remote, 'bin', 'start.sh')).mode & 0o777).toBe(0o750);
    expect(statSync(join(remote, 'bin')).mode & 0o777).toBe(0o750);
    expect(statSync(join(remote, 'index.html')).mtimeMs).toBe(T0 * 1000);
    // Symlinks are not synced.
    expect(existsSync(join(remote, 'home.html'))).toBe(false);

    for (const compare of [SyncCompare.SizeMtime, SyncCompare.Checksum])
      expect(await plan(compare)).toEqual({ upload: [], delete: [], unchanged: 4 });
  });

  it('finds changes by size and by mtime; same size and mtime with other content only by checksum', async () => {
    write(join(local, 'index.html'), '<h1>HELLO</h1>'); // same size and mtime
    write(join(local, 'assets', 'app.css'), 'body{color:red}'); // size
    write(join(local, 'bin', 'start.sh'), '#!/bin/sh\n', T0 + 60, 0o750); // mtime only

    expect(await plan(SyncCompare.SizeMtime)).toEqual({
      upload: [
        { path: 'assets/app.css', bytes: 15, reason: 'size' },
        { path: 'bin/start.sh', bytes: 10, reason: 'mtime' },
      ],
      delete: [],
      unchanged: 2,
    });
    const expected = {
      upload: [
        { path: 'assets/app.css', bytes: 15, reason: 'size' },
        { path: 'index.html', bytes: 14, reason: 'checksum' },
      ],
      delete: [],
      unchanged: 2,
    };
    // sha256sum on the host, and streaming the remote files through SFTP: the same answer.
    expect(await plan(SyncCompare.Checksum, false, true)).toEqual(expected);
    expect(await plan(SyncCompare.Checksum, false, false)).toEqual(expected);

    await applySync(sftp, local, remote, await plan(SyncCompare.Checksum, false, true), { host });
    expect(files(remote)).toEqual(files(local));
  });

  it('deletes extraneous remote files and then the directories left empty, only when asked', async () => {
    write(join(remote, 'old.txt'), 'old');
    write(join(remote, 'stale', 'deeper', 'x.bin'), 'x');
    write(join(remote, 'stale', 'y.bin'), 'y');
    write(join(remote, 'assets', 'unused.css'), 'u');
    symlinkSync('old.txt', join(remote, 'old-link'));
    // Where the local tree has a symlink, the remote entry stays.
    write(join(remote, 'home.html'), 'kept');

    expect((await plan(SyncCompare.SizeMtime)).delete).toEqual([]);
    const withDelete = await plan(SyncCompare.SizeMtime, true);
    expect(withDelete.delete).toEqual([
      'assets/unused.css',
      'old-link',
      'old.txt',
      'stale/deeper/x.bin',
      'stale/y.bin',
      'stale/deeper',
      'stale',
    ]);
    const applied = await applySync(sftp, local, remote, withDelete, { host });
    expect(applied.deleted).toBe(7);
    expect(files(remote)).toEqual({ ...files(local), 'home.html': sha256(join(remote, 'home.html')) });
    expect(existsSync(join(remote, 'stale'))).toBe(false);
    // Applying the same plan again (a retry) finds the entries gone and is fine.
    expect((await applySync(sftp, local, remote, withDelete, { host })).deleted).toBe(0);
  });

  it('refuses plan paths that leave the directories (a plan may come from a job payload)', async () => {
    for (const path of ['../escape.txt', '/etc/passwd', 'a/../../b', '-rf', 'a\nb']) {
      const hostile: SyncPlan = { upload: [{ path, bytes: 1, reason: 'new' }], delete: [], unchanged: 0 };
      await expect(applySync(sftp, local, remote, hostile, { host })).rejects.toMatchObject({
        code: SshErrorCode.SftpInvalidPath,
      });
      const deleting: SyncPlan = { upload: [], delete: [path], unchanged: 0 };
      await expect(applySync(sftp, local, remote, deleting, { host })).rejects.toBeInstanceOf(SshError);
    }
    expect(existsSync(join(work, 'remote', 'escape.txt'))).toBe(false);
    expect(existsSync('/etc/passwd')).toBe(true);
  });

  it('refuses a remote directory argument with ".." and a remote path that is a file', async () => {
    await expect(
      planSync(sftp, local, `${work}/../x`, { compare: SyncCompare.SizeMtime, deleteExtraneous: false, host }),
    ).rejects.toMatchObject({ code: SshErrorCode.SftpInvalidPath });
    await expect(
      planSync(sftp, local, join(remote, 'index.html'), {
        compare: SyncCompare.SizeMtime,
        deleteExtraneous: false,
        host,
      }),
    ).rejects.toMatchObject({ code: SshErrorCode.SftpTransferFailed });
  });
});
