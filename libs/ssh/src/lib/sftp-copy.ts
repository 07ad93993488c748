import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { copyFile, remoteFileMeta } from './one-file';
import { walkRemote } from './remote-tree';
import { RemoteFs } from './sftp-fs';
import { SshError, SshErrorCode } from './ssh-error';
import { oneFile, rootEntry, transferTree } from './sftp-path-transfer';
import { transferContext, type FileTransferOptions } from './sftp-transfer';
import type { PathTransferResult } from './tree-entry';
import { checkRemotePath } from './transfer-paths';
import { remoteTreeWriter } from './tree-writers';

/**
 * Copies a remote file, or a directory tree into `dst`, to another place on the same host, streaming through the
 * SFTP session (nothing is stored here), keeping modes and mtimes; symlinks are copied as links with the same
 * target. One progress meter covers every file; `resume` applies to each file.
 * @throws SshError
 */
export async function copyRemote(
  sftp: SFTPWrapper,
  src: string,
  dst: string,
  opts: FileTransferOptions,
): Promise<PathTransferResult> {
  checkRemotePath(src, 'src');
  checkRemotePath(dst, 'dst');
  const from = posix.normalize(src).replace(/\/+$/, '') || '/';
  const to = posix.normalize(dst).replace(/\/+$/, '') || '/';
  if (to === from || to.startsWith(from === '/' ? '/' : `${from}/`))
    throw new SshError(SshErrorCode.SftpInvalidPath, `dst ${dst} is ${src} or inside it: a copy cannot go there`);
  const fs = new RemoteFs(sftp, opts.host);
  const source = await fs.stat(src, 'read remote file');
  if (source.isFile()) {
    const ctx = transferContext(sftp, { bytes: source.size, files: 1 }, opts);
    const copied = await copyFile(ctx, src, remoteFileMeta(source), dst, opts);
    ctx.meter.finish();
    return oneFile(copied);
  }
  if (!source.isDirectory())
    throw new SshError(SshErrorCode.SftpTransferFailed, `${src} on ${opts.host} is neither a file nor a directory`);
  const entries = (await walkRemote(fs, src, { recursive: true, links: true })).filter((e) => e.type !== 'other');
  return transferTree(sftp, opts, rootEntry(remoteFileMeta(source)), entries, (ctx) =>
    remoteTreeWriter(ctx, dst, (entry, remote) => copyFile(ctx, posix.join(src, entry.rel), entry, remote, opts)),
  );
}
