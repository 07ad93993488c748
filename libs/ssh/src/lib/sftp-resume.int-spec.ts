import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { createLocalUser, startSshd, type LocalUser, type SshdServer } from '@semaphore/testing';
import { PauseGate, SshConnection, SshError, SshErrorCode, uploadFile, uploadPath } from '../index';
import { openSession, targetOf } from '../testing/fixtures';

const host = '127.0.0.1';
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('SFTP resume verification, pause and permissions against a real OpenSSH sshd', () => {
  let sshd: SshdServer;
  let conn: SshConnection;
  let sftp: SFTPWrapper;
  let work: string;
  let source: string;
  let user: LocalUser;

  beforeAll(async () => {
    user = await createLocalUser('semsftp', 'upload-pass 1');
    sshd = await startSshd({ extraConfig: ['PasswordAuthentication yes'] });
    ({ conn, sftp } = await openSession(sshd));
    work = mkdtempSync(join(tmpdir(), 'semtest-sftp-resume-'));
    source = join(work, 'source.bin');
    writeFileSync(source, randomBytes(6 * 1024 * 1024 + 17));
  });

  afterAll(async () => {
    conn?.close();
    await sshd?.stop();
    await user?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('verifies a resumed upload by sha256 and sends it again from the start when the kept part differs', async () => {
    const whole = readFileSync(source);
    const corrupt = Buffer.from(whole.subarray(0, 2_000_000));
    corrupt[1000] ^= 0xff;

    // Without verification, resuming keeps the wrong bytes: this is what the check is for.
    writeFileSync(join(work, 'unverified.bin'), corrupt);
    const blind = await uploadFile(sftp, source, join(work, 'unverified.bin'), { host, resume: true });
    expect(blind).toEqual({ bytes: whole.length, resumedFrom: 2_000_000 });
    expect(sha256(join(work, 'unverified.bin'))).not.toBe(sha256(source));

    writeFileSync(join(work, 'verified.bin'), corrupt);
    const checked = await uploadFile(sftp, source, join(work, 'verified.bin'), {
      host,
      resume: true,
      verifyWith: conn,
    });
    expect(checked).toEqual({ bytes: whole.length, resumedFrom: 0, restarted: true });
    expect(sha256(join(work, 'verified.bin'))).toBe(sha256(source));

    // A good kept part verifies and is kept.
    writeFileSync(join(work, 'good.bin'), whole.subarray(0, 2_000_000));
    const good = await uploadFile(sftp, source, join(work, 'good.bin'), { host, resume: true, verifyWith: conn });
    expect(good).toEqual({ bytes: whole.length, resumedFrom: 2_000_000 });
    expect(sha256(join(work, 'good.bin'))).toBe(sha256(source));
  });

  it('holds a transfer while paused (the file stops growing) and finishes it on resume', async () => {
    const pause = new PauseGate();
    const target = join(work, 'paused.bin');
    let paused: (() => void) | null = null;
    const reachedPause = new Promise<void>((resolve) => (paused = resolve));
    const upload = uploadFile(sftp, source, target, {
      host,
      pause,
      onProgress: (p) => {
        // Once, in the middle of the file.
        if (paused && p.bytesDone > 0 && p.bytesDone < p.bytesTotal) {
          pause.pause();
          paused();
          paused = null;
        }
      },
    });
    await reachedPause;
    // Let the chunks already on their way land, then check that nothing more arrives over many round trips.
    const other = await SshConnection.open(targetOf(sshd));
    try {
      await other.exec('true');
      const sizeWhilePaused = statSync(target).size;
      for (let i = 0; i < 8; i++) await other.exec(`stat -c %s ${target}`);
      expect(statSync(target).size).toBe(sizeWhilePaused);
      expect(sizeWhilePaused).toBeLessThan(statSync(source).size);
    } finally {
      other.close();
    }
    pause.resume();
    await upload;
    expect(sha256(target)).toBe(sha256(source));
  });

  it('fails a transfer that stops moving for idleTimeoutMs with SSH_TIMEOUT (the server side frozen)', async () => {
    const frozen = await SshConnection.open(targetOf(sshd));
    // The session process of this connection relays every channel, the SFTP one included.
    const pid = Number((await frozen.exec('echo $PPID')).stdout.trim());
    expect(pid).toBeGreaterThan(1);
    try {
      const frozenSftp = await frozen.sftp();
      process.kill(pid, 'SIGSTOP');
      const err = await uploadFile(frozenSftp, source, join(work, 'frozen.bin'), { host, idleTimeoutMs: 500 }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SshError);
      expect((err as SshError).code).toBe(SshErrorCode.Timeout);
      expect((err as SshError).message).toBe(`upload of ${join(work, 'frozen.bin')}: nothing moved for 500 ms`);
      // Requests outside the data stream (here the size check of a resume) are bounded the same way.
      const resumed = await uploadFile(frozenSftp, source, join(work, 'frozen.bin'), {
        host,
        idleTimeoutMs: 500,
        resume: true,
      }).catch((e: unknown) => e);
      expect((resumed as SshError).code).toBe(SshErrorCode.Timeout);
      expect((resumed as SshError).message).toBe(`stat ${join(work, 'frozen.bin')} on ${host}: no answer for 500 ms`);
    } finally {
      process.kill(pid, 'SIGCONT');
      frozen.close();
    }
  });

  it('reports an unwritable directory as SFTP_PERMISSION_DENIED for a non-root user (password login)', async () => {
    const locked = join(work, 'root-only');
    mkdirSync(locked);
    chmodSync(work, 0o755);
    chmodSync(locked, 0o755);
    const small = join(work, 'small.txt');
    writeFileSync(small, 'hello');
    const userConn = await SshConnection.open(
      targetOf(sshd, { username: user.name, privateKey: undefined, password: 'upload-pass 1' }),
    );
    try {
      const userSftp = await userConn.sftp();
      const err = await uploadFile(userSftp, small, join(locked, 'x.txt'), { host }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SshError);
      expect((err as SshError).code).toBe(SshErrorCode.SftpPermissionDenied);
      expect((err as SshError).message).toBe(`upload: permission denied for ${join(locked, 'x.txt')} on ${host}`);
      const tree = await uploadPath(userSftp, work, join(locked, 'tree'), { host }).catch((e: unknown) => e);
      expect((tree as SshError).code).toBe(SshErrorCode.SftpPermissionDenied);
      // The same upload into the user's home works: the refusal was the directory's, not the login's.
      await uploadFile(userSftp, small, join(user.home, 'x.txt'), { host });
      expect(readFileSync(join(user.home, 'x.txt'), 'utf8')).toBe('hello');
    } finally {
      userConn.close();
    }
  });
});
