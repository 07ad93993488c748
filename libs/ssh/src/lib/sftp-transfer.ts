import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper, Stats } from 'ssh2';
import { sftpError } from './sftp-errors';
import { SshError, SshErrorCode } from './ssh-error';
import { ProgressMeter, type TransferProgress } from './transfer-progress';

export interface FileTransferOptions {
  /** Continue from the size already at the destination (append) instead of starting over. */
  resume?: boolean;
  onProgress?: (p: TransferProgress) => void;
  signal?: AbortSignal;
  /** For messages: the host the SFTP session is connected to. */
  host: string;
}

export interface FileTransferResult {
  bytes: number;
  /** Bytes that were already at the destination and were kept (resume). */
  resumedFrom: number;
}

/**
 * Uploads one local file to `remotePath`, streaming (never the whole file in memory), keeping the file's mode. With
 * `resume`, a shorter remote file is appended to from its size; a remote file as long or longer is rewritten.
 * @throws SshError (SFTP_FILE_NOT_FOUND, SFTP_PERMISSION_DENIED, SFTP_DISK_FULL, SSH_CONNECTION_FAILED, ...)
 */
export async function uploadFile(
  sftp: SFTPWrapper,
  localPath: string,
  remotePath: string,
  opts: FileTransferOptions,
): Promise<FileTransferResult> {
  const local = await stat(localPath).catch((err: unknown) => {
    throw sftpError(err, 'read local file', localPath, 'this runner');
  });
  if (!local.isFile()) throw new SshError(SshErrorCode.SftpTransferFailed, `${localPath} is not a regular file`);
  const existing = opts.resume ? await remoteSize(sftp, remotePath) : null;
  const start = existing !== null && existing < local.size ? existing : 0;
  const meter = meterFor(local.size, opts, start);
  const mode = local.mode & 0o7777;
  try {
    await pipeline(
      createReadStream(localPath, { start, highWaterMark: 256 * 1024 }),
      counting(meter),
      sftp.createWriteStream(remotePath, { flags: start > 0 ? 'a' : 'w', mode }) as unknown as Writable,
      { signal: opts.signal },
    );
    await new Promise<void>((resolve, reject) => sftp.chmod(remotePath, mode, (e) => (e ? reject(e) : resolve())));
  } catch (err) {
    throw transferError(err, 'upload', remotePath, opts);
  }
  meter.fileDone();
  meter.finish();
  return { bytes: local.size, resumedFrom: start };
}

/**
 * Downloads `remotePath` to a local file, streaming, keeping the remote mode. With `resume`, a shorter local file is
 * appended to from its size.
 * @throws SshError
 */
export async function downloadFile(
  sftp: SFTPWrapper,
  remotePath: string,
  localPath: string,
  opts: FileTransferOptions,
): Promise<FileTransferResult> {
  const remote = await remoteStat(sftp, remotePath).catch((err: unknown) => {
    throw sftpError(err, 'read remote file', remotePath, opts.host);
  });
  if (!remote.isFile())
    throw new SshError(SshErrorCode.SftpTransferFailed, `${remotePath} on ${opts.host} is not a regular file`);
  const existing = opts.resume
    ? await stat(localPath).then(
        (s) => s.size,
        () => null,
      )
    : null;
  const start = existing !== null && existing < remote.size ? existing : 0;
  const meter = meterFor(remote.size, opts, start);
  const mode = remote.mode & 0o7777;
  try {
    await pipeline(
      sftp.createReadStream(remotePath, { start, highWaterMark: 256 * 1024 }) as unknown as Readable,
      counting(meter),
      createWriteStream(localPath, { flags: start > 0 ? 'a' : 'w', mode }),
      { signal: opts.signal },
    );
    await chmod(localPath, mode);
  } catch (err) {
    throw transferError(err, 'download', remotePath, opts);
  }
  meter.fileDone();
  meter.finish();
  return { bytes: remote.size, resumedFrom: start };
}

function meterFor(total: number, opts: FileTransferOptions, start: number): ProgressMeter {
  const meter = new ProgressMeter({ bytes: total, files: 1 }, opts.onProgress ?? (() => undefined));
  meter.skip(start);
  return meter;
}

function counting(meter: ProgressMeter): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      meter.bytes(chunk.length);
      done(null, chunk);
    },
  });
}

function transferError(err: unknown, what: string, path: string, opts: FileTransferOptions): SshError {
  if (opts.signal?.aborted)
    return new SshError(SshErrorCode.SftpTransferFailed, `${what} of ${path} cancelled`, { cause: err });
  return sftpError(err, what, path, opts.host);
}

function remoteStat(sftp: SFTPWrapper, path: string): Promise<Stats> {
  return new Promise((resolve, reject) => sftp.stat(path, (err, s) => (err ? reject(err) : resolve(s))));
}

/** The size of a remote file, or null when there is none. */
async function remoteSize(sftp: SFTPWrapper, path: string): Promise<number | null> {
  try {
    const s = await remoteStat(sftp, path);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}
