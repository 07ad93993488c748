import { constants, createReadStream, createWriteStream, openSync } from 'node:fs';
import { chmod, lstat, utimes } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import type { SshConnection } from './ssh-connection';
import { localSha256, remoteSha256 } from './remote-checksum';
import { PipelinedSftpReadStream } from './sftp-read-stream';
import { SshError, SshErrorCode } from './ssh-error';
import { pump, type TransferContext } from './transfer-stream';
import type { TreeEntry } from './tree-entry';

/** What a file transfer keeps of its source: size, permission bits and times (seconds). */
export type FileMeta = Pick<TreeEntry, 'size' | 'mode' | 'atime' | 'mtime'>;

export function localFileMeta(st: { size: number; mode: number; atimeMs: number; mtimeMs: number }): FileMeta {
  return {
    size: st.size,
    mode: st.mode & 0o7777,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  };
}

/** SFTP attributes (times already in seconds). */
export function remoteFileMeta(st: { size: number; mode: number; atime: number; mtime: number }): FileMeta {
  return { size: st.size, mode: st.mode & 0o7777, atime: st.atime, mtime: st.mtime };
}

export interface FileTransferResult {
  bytes: number;
  /** Bytes that were already at the destination and were kept (resume). */
  resumedFrom: number;
  /** A resumed upload that did not verify and was sent again from its start. */
  restarted?: boolean;
}

/** Where a file's content comes from. */
type Source = (start: number) => Readable;

/** Where it goes. */
interface Destination {
  /** The size already there (asked only with resume), or null when there is no file. */
  existing(): Promise<number | null>;
  write(start: number): Writable;
  /** After the content: mode and times. */
  finish(): Promise<void>;
}

interface FileMove {
  what: 'upload' | 'download' | 'copy';
  /** The path messages name. */
  path: string;
  size: number;
  read: Source;
  to: Destination;
}

const CHUNK = 256 * 1024;

/**
 * Moves one file's content. With `resume`, a shorter destination is appended to from its size and one as long is
 * kept as it is (a longer one is rewritten); `verified`, when given, checks a resumed result and a failed check
 * sends the whole file again, once.
 */
async function transferOne(
  ctx: TransferContext,
  move: FileMove,
  resume: boolean | undefined,
  verified?: () => Promise<boolean>,
): Promise<FileTransferResult> {
  const send = (from: number) =>
    pump(
      ctx,
      () => move.read(from),
      () => move.to.write(from),
      move.what,
      move.path,
    );
  const existing = resume ? await move.to.existing() : null;
  let start = existing !== null && existing <= move.size ? existing : 0;
  ctx.meter.skip(start);
  if (start < move.size || start === 0) await send(start);
  let restarted = false;
  if (start > 0 && verified && !(await verified())) {
    ctx.meter.rewind(move.size);
    await send(0);
    start = 0;
    restarted = true;
  }
  await move.to.finish();
  ctx.meter.fileDone();
  return { bytes: move.size, resumedFrom: start, ...(restarted ? { restarted } : {}) };
}

/** A local regular file to `remotePath`, keeping its mode and mtime. */
export function sendFile(
  ctx: TransferContext,
  localPath: string,
  local: FileMeta,
  remotePath: string,
  opts: { resume?: boolean; verifyWith?: SshConnection },
): Promise<FileTransferResult> {
  const verifyWith = opts.verifyWith;
  const verified = verifyWith
    ? async () => {
        if ((await ctx.fs.stat(remotePath)).size !== local.size) return false;
        const [remote, here] = await Promise.all([remoteSha256(verifyWith, [remotePath]), localSha256(localPath)]);
        // Without sha256sum on the host, equal sizes are all that can be checked.
        return remote === null || remote.get(remotePath) === here;
      }
    : undefined;
  const read: Source = (start) => createReadStream(localPath, { start, highWaterMark: CHUNK });
  const to = remoteDestination(ctx, remotePath, local);
  return transferOne(ctx, { what: 'upload', path: remotePath, size: local.size, read, to }, opts.resume, verified);
}

/**
 * A remote regular file to `localPath`, keeping its permission bits (setuid/setgid/sticky dropped: they are not
 * for a file a remote host chose) and mtime. The local file is never written through a symlink.
 */
export function receiveFile(
  ctx: TransferContext,
  remotePath: string,
  remote: FileMeta,
  localPath: string,
  opts: { resume?: boolean },
): Promise<FileTransferResult> {
  const mode = remote.mode & 0o777;
  const to: Destination = {
    existing: () => localFileSize(localPath),
    write: (start) => {
      const append = start > 0 ? constants.O_APPEND : constants.O_TRUNC;
      const fd = openSync(localPath, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | append, mode);
      return createWriteStream(localPath, { fd });
    },
    finish: async () => {
      await chmod(localPath, mode);
      await utimes(localPath, remote.atime, remote.mtime);
    },
  };
  const read = remoteSource(ctx, remotePath);
  return transferOne(ctx, { what: 'download', path: remotePath, size: remote.size, read, to }, opts.resume);
}

/** A remote regular file to another remote path on the same host, through the session. */
export function copyFile(
  ctx: TransferContext,
  src: string,
  source: FileMeta,
  dst: string,
  opts: { resume?: boolean },
): Promise<FileTransferResult> {
  const move: FileMove = {
    what: 'copy',
    path: dst,
    size: source.size,
    read: remoteSource(ctx, src),
    to: remoteDestination(ctx, dst, source),
  };
  return transferOne(ctx, move, opts.resume);
}

function remoteSource(ctx: TransferContext, path: string): Source {
  return (start) => new PipelinedSftpReadStream(ctx.fs.sftp, path, { start });
}

/** A remote file written (or appended to) with the source's mode, then given its mode and times. */
function remoteDestination(ctx: TransferContext, path: string, meta: FileMeta): Destination {
  const mode = meta.mode & 0o7777;
  return {
    existing: () => remoteFileSize(ctx, path),
    write: (start) =>
      ctx.fs.sftp.createWriteStream(path, { flags: start > 0 ? 'a' : 'w', mode }) as unknown as Writable,
    finish: async () => {
      await ctx.fs.chmod(path, mode);
      await ctx.fs.utimes(path, meta.atime, meta.mtime);
    },
  };
}

/** The size of a remote regular file, or null when there is none. */
async function remoteFileSize(ctx: TransferContext, path: string): Promise<number | null> {
  const s = await ctx.fs.lstatOrNull(path);
  return s?.isFile() ? s.size : null;
}

async function localFileSize(path: string): Promise<number | null> {
  const s = await lstat(path).catch(() => null);
  if (s?.isSymbolicLink())
    throw new SshError(SshErrorCode.SftpInvalidPath, `${path} is a symlink: refusing to write through it`);
  return s?.isFile() ? s.size : null;
}
