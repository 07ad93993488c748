import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { startSshd, type SshdServer } from '@semaphore/testing';
import {
  SshErrorCode,
  copyRemote,
  downloadPath,
  listRemote,
  uploadPath,
  type SshConnection,
  type TransferProgress,
} from '../index';
import { openSession, rejectionOf as sshError } from '../testing/fixtures';

const host = '127.0.0.1';
const PAST = 1_600_000_000; // 2020-09-13, whole seconds

interface Snapshot {
  type: 'file' | 'dir' | 'link';
  mode: number;
  mtime?: number;
  sha256?: string;
  target?: string;
}

/** Every entry below `root`: type, permission bits, mtime (files, dirs), content hash, link target. */
function snapshot(root: string): Record<string, Snapshot> {
  const out: Record<string, Snapshot> = {};
  const visit = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, r));
      const mode = st.mode & 0o7777;
      const mtime = Math.floor(st.mtimeMs / 1000);
      if (st.isSymbolicLink()) out[r] = { type: 'link', mode: 0, target: readlinkSync(join(root, r)) };
      else if (st.isDirectory()) {
        out[r] = { type: 'dir', mode, mtime };
        visit(r);
      } else {
        const sha256 = createHash('sha256')
          .update(readFileSync(join(root, r)))
          .digest('hex');
        out[r] = { type: 'file', mode, mtime, sha256 };
      }
    }
  };
  visit('');
  return out;
}

/** A small tree with modes, mtimes, an empty file, nesting and a symlink that stays inside. */
function makeTree(root: string): void {
  mkdirSync(join(root, 'conf', 'deep'), { recursive: true });
  mkdirSync(join(root, 'empty-dir'));
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  writeFileSync(join(root, 'conf', 'app.ini'), 'a=1\n'.repeat(50_000));
  writeFileSync(join(root, 'conf', 'deep', 'secret.key'), Buffer.alloc(70_000, 7));
  writeFileSync(join(root, 'empty.txt'), '');
  symlinkSync('conf/app.ini', join(root, 'current.ini'));
  chmodSync(join(root, 'run.sh'), 0o755);
  chmodSync(join(root, 'conf', 'app.ini'), 0o640);
  chmodSync(join(root, 'conf', 'deep', 'secret.key'), 0o600);
  chmodSync(join(root, 'conf', 'deep'), 0o750);
  for (const rel of ['run.sh', 'conf/app.ini', 'conf/deep/secret.key', 'empty.txt', 'conf/deep', 'conf', 'empty-dir'])
    utimesSync(join(root, rel), PAST, PAST + rel.length);
}

describe('SFTP trees (upload, download, list, copy) against a real OpenSSH sshd', () => {
  let sshd: SshdServer;
  let conn: SshConnection;
  let sftp: SFTPWrapper;
  let work: string;
  let n = 0;
  const fresh = (name: string) => join(work, `${name}-${++n}`);

  beforeAll(async () => {
    sshd = await startSshd();
    ({ conn, sftp } = await openSession(sshd));
    work = mkdtempSync(join(tmpdir(), 'semtest-sftp-tree-'));
  });

  afterAll(async () => {
    conn?.close();
    await sshd?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('uploads a tree and downloads it back with contents, modes, mtimes and inner symlinks, under one progress', async () => {
    const local = fresh('local');
    mkdirSync(local);
    makeTree(local);
    chmodSync(local, 0o711);
    const expected = snapshot(local);
    const remote = join(fresh('remote'), 'nested', 'target');
    const events: TransferProgress[] = [];
    const up = await uploadPath(sftp, local, remote, { host, onProgress: (p) => events.push(p) });
    const totalBytes = 200_000 + 70_000 + '#!/bin/sh\necho hi\n'.length;
    expect(up).toEqual({ files: 4, directories: 3, symlinks: 1, bytes: totalBytes, resumedFrom: 0 });
    expect(events[events.length - 1]).toMatchObject({
      bytesDone: totalBytes,
      bytesTotal: totalBytes,
      filesDone: 4,
      filesTotal: 4,
    });
    expect(snapshot(remote)).toEqual(expected);
    expect(statSync(remote).mode & 0o777).toBe(0o711);

    const back = fresh('back');
    const down = await downloadPath(sftp, remote, back, { host });
    expect(down).toEqual(up);
    expect(snapshot(back)).toEqual(expected);
    expect(readlinkSync(join(back, 'current.ini'))).toBe('conf/app.ini');
  });

  it('uploads and downloads a single file through the same calls, and resumes per file', async () => {
    const local = fresh('single');
    writeFileSync(local, Buffer.alloc(300_000, 3));
    chmodSync(local, 0o604);
    utimesSync(local, PAST, PAST);
    const remote = fresh('single-remote');
    writeFileSync(remote, Buffer.alloc(100_000, 3));
    const up = await uploadPath(sftp, local, remote, { host, resume: true });
    expect(up).toEqual({ files: 1, directories: 0, symlinks: 0, bytes: 300_000, resumedFrom: 100_000 });
    expect(readFileSync(remote).equals(readFileSync(local))).toBe(true);
    expect(statSync(remote).mode & 0o777).toBe(0o604);
    expect(Math.floor(statSync(remote).mtimeMs / 1000)).toBe(PAST);
    const down = fresh('single-down');
    await downloadPath(sftp, remote, down, { host });
    expect(readFileSync(down).equals(readFileSync(local))).toBe(true);
  });

  it('refuses to upload a tree with a symlink pointing outside it, before sending anything', async () => {
    const local = fresh('leaky');
    mkdirSync(local);
    writeFileSync(join(local, 'ok.txt'), 'ok');
    writeFileSync(join(work, 'outside-secret'), 'secret');
    symlinkSync(join(work, 'outside-secret'), join(local, 'looks-harmless'));
    const remote = fresh('leaky-remote');
    const err = await sshError(uploadPath(sftp, local, remote, { host }));
    expect(err.code).toBe(SshErrorCode.SftpInvalidPath);
    expect(err.message).toContain('looks-harmless is a symlink');
    expect(existsSync(remote)).toBe(false);

    // With a root, even the path given cannot lead out of it through a symlink.
    const viaLink = await sshError(
      uploadPath(sftp, join(local, 'looks-harmless'), fresh('x'), { host, localRoot: local }),
    );
    expect(viaLink.code).toBe(SshErrorCode.SftpInvalidPath);
  });

  it('refuses remote symlinks leading out of the downloaded tree, by their text or once resolved', async () => {
    const remote = fresh('hostile');
    mkdirSync(remote);
    writeFileSync(join(remote, 'a.txt'), 'a');
    symlinkSync('../../../../etc/passwd', join(remote, 'passwd'));
    const local = join(fresh('dl-area'), 'out');
    const err = await sshError(downloadPath(sftp, remote, local, { host }));
    expect(err.code).toBe(SshErrorCode.SftpInvalidPath);
    expect(err.message).toContain('is a symlink to "../../../../etc/passwd", outside the tree');
    expect(existsSync(local)).toBe(false);

    // "a-up -> ." and "b-escape -> a-up/.." look inside by their text; resolved, the second leaves the tree.
    const sneaky = fresh('sneaky');
    mkdirSync(sneaky);
    symlinkSync('.', join(sneaky, 'a-up'));
    symlinkSync('a-up/..', join(sneaky, 'b-escape'));
    const dest = join(fresh('dl-area'), 'out');
    const err2 = await sshError(downloadPath(sftp, sneaky, dest, { host }));
    expect(err2.code).toBe(SshErrorCode.SftpInvalidPath);
    expect(err2.message).toBe(`the remote symlink b-escape -> "a-up/.." would point outside ${dest}: refused`);
    expect(readlinkSync(join(dest, 'a-up'))).toBe('.');
    expect(() => lstatSync(join(dest, 'b-escape'))).toThrow(/ENOENT/);
  });

  it('refuses remote names with control characters and a crafted listing with "../" names', async () => {
    const remote = fresh('badname');
    mkdirSync(remote);
    writeFileSync(join(remote, 'line\nbreak'), 'x');
    const err = await sshError(downloadPath(sftp, remote, fresh('dl'), { host }));
    expect(err.code).toBe(SshErrorCode.SftpInvalidPath);
    expect(err.message).toContain('"line\\nbreak" that contains control characters');

    // A server that lists a name with a path in it: the SFTP session's readdir answers with it.
    const plain = fresh('plain');
    mkdirSync(plain);
    writeFileSync(join(plain, 'real.txt'), 'x');
    const hostile = new Proxy(sftp, {
      get(target, prop, receiver) {
        if (prop !== 'readdir') return Reflect.get(target, prop, receiver);
        return (path: string, cb: (err: Error | undefined, list: unknown[]) => void) =>
          target.readdir(path, (e, list) =>
            cb(e, [...list, { ...list.find((l) => l.filename === 'real.txt'), filename: '../escaped.txt' }]),
          );
      },
    });
    const area = fresh('area');
    mkdirSync(area);
    const crafted = await sshError(downloadPath(hostile, plain, join(area, 'out'), { host }));
    expect(crafted.code).toBe(SshErrorCode.SftpInvalidPath);
    expect(crafted.message).toContain('"../escaped.txt" that contains a path separator');
    expect(readdirSync(area)).toEqual([]);
    const listed = await sshError(listRemote(hostile, plain, { host }));
    expect(listed.code).toBe(SshErrorCode.SftpInvalidPath);
  });

  it('refuses traversal, option-like and control-character path arguments without touching anything', async () => {
    const local = fresh('args');
    writeFileSync(local, 'x');
    const bad = ['../etc/cron.d/x', `${work}/../../etc/x`, '-oProxyCommand=sh', `${work}/a\nb`, ''];
    for (const path of bad) {
      for (const call of [
        () => uploadPath(sftp, local, path, { host }),
        () => downloadPath(sftp, path, fresh('never'), { host }),
        () => listRemote(sftp, path, { host }),
        () => copyRemote(sftp, path, fresh('never'), { host }),
        () => copyRemote(sftp, local, path, { host }),
      ]) {
        const err = await sshError(call());
        expect(err.code).toBe(SshErrorCode.SftpInvalidPath);
      }
    }
    expect(readdirSync(work).filter((f) => f.startsWith('never'))).toEqual([]);
  });

  it('names a missing remote path SFTP_FILE_NOT_FOUND', async () => {
    for (const call of [
      () => downloadPath(sftp, join(work, 'nope'), fresh('x'), { host }),
      () => listRemote(sftp, join(work, 'nope'), { host }),
      () => copyRemote(sftp, join(work, 'nope'), fresh('x'), { host }),
    ]) {
      const err = await sshError(call());
      expect(err.code).toBe(SshErrorCode.SftpFileNotFound);
      expect(err.message).toContain(`${join(work, 'nope')} on ${host} does not exist`);
    }
  });

  it('lists a directory, one level or all, sorted by path, with types, octal modes and ISO mtimes', async () => {
    const remote = fresh('listed');
    mkdirSync(remote);
    makeTree(remote);
    const top = await listRemote(sftp, remote, { host });
    expect(top.map((e) => [e.name, e.type])).toEqual([
      ['conf', 'directory'],
      ['current.ini', 'symlink'],
      ['empty-dir', 'directory'],
      ['empty.txt', 'file'],
      ['run.sh', 'file'],
    ]);
    const all = await listRemote(sftp, remote, { host, recursive: true });
    expect(all.map((e) => e.path)).toEqual(
      [
        'conf',
        'conf/app.ini',
        'conf/deep',
        'conf/deep/secret.key',
        'current.ini',
        'empty-dir',
        'empty.txt',
        'run.sh',
      ].map((p) => join(remote, p)),
    );
    expect(all.find((e) => e.name === 'app.ini')).toEqual({
      path: join(remote, 'conf/app.ini'),
      name: 'app.ini',
      type: 'file',
      size: 200_000,
      mode: '0640',
      mtime: new Date((PAST + 'conf/app.ini'.length) * 1000).toISOString(),
    });
    expect(all.find((e) => e.name === 'deep')).toMatchObject({ type: 'directory', mode: '0750' });
    // A file lists as itself.
    expect(await listRemote(sftp, join(remote, 'run.sh'), { host })).toEqual([
      expect.objectContaining({ path: join(remote, 'run.sh'), name: 'run.sh', type: 'file', mode: '0755' }),
    ]);
  });

  it('copies a remote tree and a remote file on the same host with modes, mtimes and links, under one progress', async () => {
    const src = fresh('copy-src');
    mkdirSync(src);
    makeTree(src);
    const expected = snapshot(src);
    const dst = join(fresh('copy-dst'), 'inner');
    const events: TransferProgress[] = [];
    const result = await copyRemote(sftp, src, dst, { host, onProgress: (p) => events.push(p) });
    expect(result).toMatchObject({ files: 4, directories: 3, symlinks: 1 });
    expect(snapshot(dst)).toEqual(expected);
    expect(events[events.length - 1]).toMatchObject({ filesDone: 4, filesTotal: 4, bytesDone: result.bytes });

    const fileCopy = fresh('copy-file');
    await copyRemote(sftp, join(src, 'conf', 'deep', 'secret.key'), fileCopy, { host });
    expect(readFileSync(fileCopy).equals(readFileSync(join(src, 'conf', 'deep', 'secret.key')))).toBe(true);
    expect(statSync(fileCopy).mode & 0o777).toBe(0o600);

    const intoItself = await sshError(copyRemote(sftp, src, join(src, 'conf', 'again'), { host }));
    expect(intoItself.code).toBe(SshErrorCode.SftpInvalidPath);
    expect(existsSync(join(src, 'conf', 'again'))).toBe(false);
  });
});
