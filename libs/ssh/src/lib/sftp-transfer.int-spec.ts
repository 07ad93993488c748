import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { startSshd, type SshdServer } from '@semaphore/testing';
import { SshErrorCode, downloadFile, uploadFile, type SshConnection, type TransferProgress } from '../index';
import { openSession, rejectionOf as rejection } from '../testing/fixtures';
import { PipelinedSftpReadStream } from './sftp-read-stream';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('SFTP file transfers against a real OpenSSH sshd', () => {
  let sshd: SshdServer;
  let conn: SshConnection;
  let sftp: SFTPWrapper;
  let local: string;
  let remote: string;
  let source: string;
  const host = '127.0.0.1';

  beforeAll(async () => {
    sshd = await startSshd();
    ({ conn, sftp } = await openSession(sshd));
    local = mkdtempSync(join(tmpdir(), 'semtest-sftp-local-'));
    remote = mkdtempSync(join(tmpdir(), 'semtest-sftp-remote-'));
    source = join(local, 'payload.bin');
    writeFileSync(source, randomBytes(12 * 1024 * 1024 + 123));
    chmodSync(source, 0o750);
  });

  afterAll(async () => {
    conn?.close();
    await sshd?.stop();
    rmSync(local, { recursive: true, force: true });
    rmSync(remote, { recursive: true, force: true });
  });

  it('reuses one SFTP session per connection', async () => {
    expect(await conn.sftp()).toBe(sftp);
  });

  it('uploads and downloads a file byte for byte, keeping its mode, with progress up to the total', async () => {
    const events: TransferProgress[] = [];
    const up = await uploadFile(sftp, source, join(remote, 'up.bin'), { host, onProgress: (p) => events.push(p) });
    expect(up).toEqual({ bytes: statSync(source).size, resumedFrom: 0 });
    expect(sha256(join(remote, 'up.bin'))).toBe(sha256(source));
    expect(statSync(join(remote, 'up.bin')).mode & 0o777).toBe(0o750);
    const last = events[events.length - 1];
    expect(last).toMatchObject({ bytesDone: up.bytes, bytesTotal: up.bytes, filesDone: 1, filesTotal: 1, etaSec: 0 });
    for (let i = 1; i < events.length; i++) expect(events[i].bytesDone).toBeGreaterThanOrEqual(events[i - 1].bytesDone);

    const down = await downloadFile(sftp, join(remote, 'up.bin'), join(local, 'down.bin'), { host });
    expect(down.bytes).toBe(up.bytes);
    expect(sha256(join(local, 'down.bin'))).toBe(sha256(source));
    expect(statSync(join(local, 'down.bin')).mode & 0o777).toBe(0o750);
  });

  it('resumes an interrupted upload and download from the size already there, ending with identical files', async () => {
    const whole = readFileSync(source);
    writeFileSync(join(remote, 'partial.bin'), whole.subarray(0, 5_000_000));
    const up = await uploadFile(sftp, source, join(remote, 'partial.bin'), { host, resume: true });
    expect(up.resumedFrom).toBe(5_000_000);
    expect(sha256(join(remote, 'partial.bin'))).toBe(sha256(source));

    writeFileSync(join(local, 'partial-down.bin'), whole.subarray(0, 3_000_000));
    const down = await downloadFile(sftp, join(remote, 'partial.bin'), join(local, 'partial-down.bin'), {
      host,
      resume: true,
    });
    expect(down.resumedFrom).toBe(3_000_000);
    expect(sha256(join(local, 'partial-down.bin'))).toBe(sha256(source));
  });

  it('reads with several requests in flight, in order, to the end of files of any size (empty, odd, offset)', async () => {
    const read = async (path: string, start = 0) => {
      const chunks: Buffer[] = [];
      for await (const chunk of new PipelinedSftpReadStream(sftp, path, { start, chunkSize: 1000, depth: 7 }))
        chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    const odd = randomBytes(123_457);
    writeFileSync(join(remote, 'odd.bin'), odd);
    writeFileSync(join(remote, 'empty.bin'), '');
    expect((await read(join(remote, 'odd.bin'))).equals(odd)).toBe(true);
    expect((await read(join(remote, 'odd.bin'), 99_999)).equals(odd.subarray(99_999))).toBe(true);
    expect((await read(join(remote, 'empty.bin'))).length).toBe(0);
    await expect(read(join(remote, 'absent.bin'))).rejects.toMatchObject({ code: 2 });
  });

  it('names a missing remote file or directory SFTP_FILE_NOT_FOUND', async () => {
    const missing = await rejection(downloadFile(sftp, join(remote, 'nope.bin'), join(local, 'x.bin'), { host }));
    expect(missing.code).toBe(SshErrorCode.SftpFileNotFound);
    expect(missing.message).toBe(`read remote file: ${join(remote, 'nope.bin')} on ${host} does not exist`);
    expect(missing.retryable).toBe(false);
    const noDir = await rejection(uploadFile(sftp, source, join(remote, 'no-dir', 'x.bin'), { host }));
    expect(noDir.code).toBe(SshErrorCode.SftpFileNotFound);
    const noLocal = await rejection(uploadFile(sftp, join(local, 'nope'), join(remote, 'x.bin'), { host }));
    expect(noLocal.code).toBe(SshErrorCode.SftpFileNotFound);
  });

  it('stops a transfer when its signal is aborted', async () => {
    const controller = new AbortController();
    const err = await rejection(
      uploadFile(sftp, source, join(remote, 'cancelled.bin'), {
        host,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.bytesDone > 0) controller.abort();
        },
      }),
    );
    expect(err.message).toBe(`upload of ${join(remote, 'cancelled.bin')} cancelled`);
    expect(statSync(join(remote, 'cancelled.bin')).size).toBeLessThan(statSync(source).size);
  });
});
