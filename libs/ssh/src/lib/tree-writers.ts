import { lstat, mkdir, chmod, realpath, symlink, unlink, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { FileTransferResult } from './one-file';
import { sftpError } from './sftp-errors';
import { SshError, SshErrorCode } from './ssh-error';
import type { TreeWriter } from './tree-apply';
import type { TreeEntry } from './tree-entry';
import { isInside } from './transfer-paths';
import type { TransferContext } from './transfer-stream';

const OWNER_RWX = 0o700;

/** Writes a tree under the remote directory `root` (upload, remote copy); `file` moves one file's content. */
export function remoteTreeWriter(
  ctx: TransferContext,
  root: string,
  file: (entry: TreeEntry, remotePath: string) => Promise<FileTransferResult>,
): TreeWriter {
  const at = (rel: string) => (rel === '' ? root : posix.join(root, rel));
  return {
    async ensureDir(rel, entry) {
      // The root may be reached through a symlink on the host (e.g. /var/www); entries below it may not.
      const existing = await ctx.fs.lstatOrNull(at(rel), rel === '');
      if (existing?.isDirectory()) return;
      if (existing) throw notADirectory(at(rel), ctx.fs.host);
      if (rel === '') await ctx.fs.mkdirs(at(rel), entry.mode | OWNER_RWX);
      else await ctx.fs.mkdir(at(rel), entry.mode | OWNER_RWX);
    },
    file: (entry) => file(entry, at(entry.rel)),
    async symlink(entry) {
      const existing = await ctx.fs.lstatOrNull(at(entry.rel));
      if (existing?.isDirectory()) throw notADirectory(at(entry.rel), ctx.fs.host, 'is a directory');
      if (existing) await ctx.fs.unlink(at(entry.rel));
      await ctx.fs.symlink(entry.target ?? '', at(entry.rel));
    },
    async finishDir(rel, entry) {
      await ctx.fs.chmod(at(rel), entry.mode);
      await ctx.fs.utimes(at(rel), entry.atime, entry.mtime);
    },
  };
}

/**
 * Writes a tree under the local directory `root` (download). Nothing is written through a symlink: an existing
 * one where a directory or file goes is refused, and each link made here must resolve inside `root` (else it is
 * removed and the download fails).
 */
export function localTreeWriter(
  root: string,
  file: (entry: TreeEntry, localPath: string) => Promise<FileTransferResult>,
): TreeWriter {
  const at = (rel: string) => (rel === '' ? root : join(root, ...rel.split('/')));
  return {
    async ensureDir(rel, entry) {
      const existing = await lstat(at(rel)).catch(() => null);
      if (existing?.isDirectory()) return;
      if (existing) throw notADirectory(at(rel), 'this runner');
      await mkdir(at(rel), { recursive: rel === '', mode: (entry.mode & 0o777) | OWNER_RWX }).catch((err: unknown) => {
        throw sftpError(err, 'create local directory', at(rel), 'this runner');
      });
    },
    file: (entry) => file(entry, at(entry.rel)),
    async symlink(entry) {
      const path = at(entry.rel);
      const existing = await lstat(path).catch(() => null);
      if (existing?.isDirectory()) throw notADirectory(path, 'this runner', 'is a directory');
      if (existing) await unlink(path);
      await symlink(entry.target ?? '', path);
      const [resolved, realRoot] = await Promise.all([realpath(path).catch(() => null), realpath(root)]);
      if (resolved === null || !isInside(realRoot, resolved)) {
        await unlink(path);
        throw new SshError(
          SshErrorCode.SftpInvalidPath,
          `the remote symlink ${entry.rel} -> ${JSON.stringify(entry.target)} would point outside ${root}: refused`,
        );
      }
    },
    async finishDir(rel, entry) {
      await chmod(at(rel), entry.mode & 0o777);
      await utimes(at(rel), entry.atime, entry.mtime);
    },
  };
}

function notADirectory(path: string, host: string, problem = 'exists and is not a directory'): SshError {
  return new SshError(SshErrorCode.SftpTransferFailed, `${path} on ${host} ${problem}`);
}
