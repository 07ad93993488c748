import { stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { localFileMeta, receiveFile, remoteFileMeta, sendFile, type FileTransferResult } from './one-file';
import type { TransferContext } from './transfer-stream';
import { walkLocal } from './local-tree';
import { walkRemote } from './remote-tree';
import { RemoteFs } from './sftp-fs';
import { sftpError } from './sftp-errors';
import { SshError, SshErrorCode } from './ssh-error';
import { downloadFile, transferContext, uploadFile, type FileTransferOptions } from './sftp-transfer';
import { applyTree, treeTotals, type TreeWriter } from './tree-apply';
import type { PathTransferResult, TreeEntry } from './tree-entry';
import { checkLocalInside, checkRemotePath } from './transfer-paths';
import { localTreeWriter, remoteTreeWriter } from './tree-writers';

export type { PathTransferResult } from './tree-entry';

export interface PathTransferOptions extends FileTransferOptions {
  /** The local path must stay inside this directory, symlinks resolved (the checkout, the artifact area). */
  localRoot?: string;
}

/**
 * Uploads a local file, or a whole directory tree into `remotePath` (created with its parents as needed), keeping
 * modes and mtimes; symlinks inside the tree are recreated, ones pointing outside it refused before anything is
 * sent. One progress meter covers every file; `resume` applies to each file.
 * @throws SshError
 */
export async function uploadPath(
  sftp: SFTPWrapper,
  localPath: string,
  remotePath: string,
  opts: PathTransferOptions,
): Promise<PathTransferResult> {
  checkRemotePath(remotePath, 'remotePath');
  await checkLocalInside(localPath, opts.localRoot, 'localPath');
  const local = await stat(localPath).catch((err: unknown) => {
    throw sftpError(err, 'read local file', localPath, 'this runner');
  });
  if (local.isFile()) return oneFile(await uploadFile(sftp, localPath, remotePath, opts));
  if (!local.isDirectory())
    throw new SshError(SshErrorCode.SftpTransferFailed, `${localPath} is neither a file nor a directory`);
  const entries = await walkLocal(localPath).catch((err: unknown) => {
    throw sftpError(err, 'read local directory', localPath, 'this runner');
  });
  return transferTree(sftp, opts, rootEntry(localFileMeta(local)), entries, (ctx) =>
    remoteTreeWriter(ctx, remotePath, (entry, remote) =>
      sendFile(ctx, join(localPath, ...entry.rel.split('/')), entry, remote, opts),
    ),
  );
}

/**
 * Downloads a remote file, or a whole directory tree into `localPath` (created as needed), keeping permission bits
 * and mtimes. Every listed name is checked (a hostile server cannot make a path leave `localPath`), remote symlinks
 * are recreated only when they stay inside the tree, and nothing is written through a symlink.
 * @throws SshError
 */
export async function downloadPath(
  sftp: SFTPWrapper,
  remotePath: string,
  localPath: string,
  opts: PathTransferOptions,
): Promise<PathTransferResult> {
  checkRemotePath(remotePath, 'remotePath');
  await checkLocalInside(localPath, opts.localRoot, 'localPath');
  const fs = new RemoteFs(sftp, opts.host);
  const remote = await fs.stat(remotePath, 'read remote file');
  if (remote.isFile()) return oneFile(await downloadFile(sftp, remotePath, localPath, opts));
  if (!remote.isDirectory())
    throw new SshError(
      SshErrorCode.SftpTransferFailed,
      `${remotePath} on ${opts.host} is neither a file nor a directory`,
    );
  const entries = (await walkRemote(fs, remotePath, { recursive: true, links: true })).filter(
    (e) => e.type !== 'other',
  );
  for (const link of entries) if (link.type === 'symlink') checkLinkStaysInside(link, remotePath, opts.host);
  return transferTree(sftp, opts, rootEntry(remoteFileMeta(remote)), entries, (ctx) =>
    localTreeWriter(localPath, (entry, local) =>
      receiveFile(ctx, posix.join(remotePath, entry.rel), entry, local, opts),
    ),
  );
}

export function rootEntry(meta: Pick<TreeEntry, 'mode' | 'atime' | 'mtime'>): TreeEntry {
  return { rel: '', type: 'directory', size: 0, mode: meta.mode, atime: meta.atime, mtime: meta.mtime };
}

export function oneFile(sent: FileTransferResult): PathTransferResult {
  return { files: 1, directories: 0, symlinks: 0, bytes: sent.bytes, resumedFrom: sent.resumedFrom };
}

/** A tree under one progress meter (all its files), written by the writer made for that context. */
export async function transferTree(
  sftp: SFTPWrapper,
  opts: FileTransferOptions,
  root: TreeEntry,
  entries: readonly TreeEntry[],
  writerFor: (ctx: TransferContext) => TreeWriter,
): Promise<PathTransferResult> {
  const ctx = transferContext(sftp, treeTotals(entries), opts);
  const result = await applyTree(root, entries, writerFor(ctx));
  ctx.meter.finish();
  return result;
}

/** A remote link target, judged by its text before anything is written: relative and not leaving the tree. */
function checkLinkStaysInside(link: TreeEntry, remoteRoot: string, host: string): void {
  const target = link.target ?? '';
  const resolved = posix.normalize(posix.join(posix.dirname(link.rel), target));
  if (target !== '' && !posix.isAbsolute(target) && resolved !== '..' && !resolved.startsWith('../')) return;
  throw new SshError(
    SshErrorCode.SftpInvalidPath,
    `${posix.join(remoteRoot, link.rel)} on ${host} is a symlink to ${JSON.stringify(target)}, outside the tree: refusing to download it`,
  );
}
