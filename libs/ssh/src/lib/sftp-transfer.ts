import { stat } from 'node:fs/promises';
import type { SFTPWrapper } from 'ssh2';
import type { PauseGate } from './pause-gate';
import { localFileMeta, receiveFile, remoteFileMeta, sendFile, type FileTransferResult } from './one-file';
import { RemoteFs } from './sftp-fs';
import { sftpError } from './sftp-errors';
import type { SshConnection } from './ssh-connection';
import { SshError, SshErrorCode } from './ssh-error';
import { checkRemotePath } from './transfer-paths';
import { ProgressMeter, type TransferProgress } from './transfer-progress';
import type { TransferContext } from './transfer-stream';

export type { FileTransferResult } from './one-file';

export interface FileTransferOptions {
  /** Continue each file from the size already at the destination (append) instead of starting over. */
  resume?: boolean;
  onProgress?: (p: TransferProgress) => void;
  signal?: AbortSignal;
  /** While paused, no chunk is passed on (the session stays open). */
  pause?: PauseGate;
  /**
   * Uploads: check each resumed file afterwards (sizes, and the whole file's sha256 when the host has `sha256sum`,
   * run over this connection, the one the SFTP session belongs to); a file that does not match is sent again from
   * its start, once.
   */
  verifyWith?: SshConnection;
  /** No byte moved for this long (time paused does not count): SSH_TIMEOUT. */
  idleTimeoutMs?: number;
  /** For messages: the host the SFTP session is connected to. */
  host: string;
}

/**
 * Uploads one local file to `remotePath`, streaming (never the whole file in memory), keeping the file's mode and
 * mtime. With `resume`, a shorter remote file is appended to from its size, one of the same size is kept (checked
 * with `verifyWith`); a longer one is rewritten.
 * @throws SshError (SFTP_FILE_NOT_FOUND, SFTP_PERMISSION_DENIED, SFTP_DISK_FULL, SFTP_INVALID_PATH,
 *   SSH_CONNECTION_FAILED, ...)
 */
export async function uploadFile(
  sftp: SFTPWrapper,
  localPath: string,
  remotePath: string,
  opts: FileTransferOptions,
): Promise<FileTransferResult> {
  checkRemotePath(remotePath, 'remotePath');
  const local = await stat(localPath).catch((err: unknown) => {
    throw sftpError(err, 'read local file', localPath, 'this runner');
  });
  if (!local.isFile()) throw new SshError(SshErrorCode.SftpTransferFailed, `${localPath} is not a regular file`);
  const ctx = transferContext(sftp, { bytes: local.size, files: 1 }, opts);
  const result = await sendFile(ctx, localPath, localFileMeta(local), remotePath, opts);
  ctx.meter.finish();
  return result;
}

/**
 * Downloads `remotePath` to a local file, streaming, keeping the remote permission bits and mtime. With `resume`, a
 * shorter local file is appended to from its size.
 * @throws SshError
 */
export async function downloadFile(
  sftp: SFTPWrapper,
  remotePath: string,
  localPath: string,
  opts: FileTransferOptions,
): Promise<FileTransferResult> {
  checkRemotePath(remotePath, 'remotePath');
  const fs = new RemoteFs(sftp, opts.host);
  const remote = await fs.stat(remotePath, 'read remote file');
  if (!remote.isFile())
    throw new SshError(SshErrorCode.SftpTransferFailed, `${remotePath} on ${opts.host} is not a regular file`);
  const ctx = transferContext(sftp, { bytes: remote.size, files: 1 }, opts);
  const result = await receiveFile(ctx, remotePath, remoteFileMeta(remote), localPath, opts);
  ctx.meter.finish();
  return result;
}

/** One operation's shared state: the session and a progress meter over all of its files. */
export function transferContext(
  sftp: SFTPWrapper,
  totals: { bytes: number; files: number },
  opts: Pick<FileTransferOptions, 'host' | 'onProgress' | 'pause' | 'signal' | 'idleTimeoutMs'>,
): TransferContext {
  return {
    fs: new RemoteFs(sftp, opts.host, opts.idleTimeoutMs),
    meter: new ProgressMeter(totals, opts.onProgress ?? (() => undefined)),
    pause: opts.pause,
    signal: opts.signal,
    idleTimeoutMs: opts.idleTimeoutMs,
  };
}
