import { lstat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { SyncCompare } from '@semaphore/models';
import { localFileMeta, sendFile } from './one-file';
import { localSha256, remoteSha256, remoteStreamSha256 } from './remote-checksum';
import { walkLocal } from './local-tree';
import { walkRemote } from './remote-tree';
import { RemoteFs } from './sftp-fs';
import { sftpError } from './sftp-errors';
import type { SshConnection } from './ssh-connection';
import { SshError, SshErrorCode } from './ssh-error';
import { transferContext, type FileTransferOptions } from './sftp-transfer';
import { checkRemotePath, checkLocalInside } from './transfer-paths';
import { depth, type TreeEntry } from './tree-entry';

export interface SyncPlan {
  /** Local files to send, relative to the directories, sorted. */
  upload: Array<{ path: string; bytes: number; reason: 'new' | 'size' | 'mtime' | 'checksum' }>;
  /** Remote entries to remove, relative: files and links first, then directories deepest first. */
  delete: string[];
  /** Local files the remote side already has. */
  unchanged: number;
}

export interface SyncPlanOptions {
  compare: SyncCompare;
  /** Plan the removal of remote entries the local tree does not have. */
  deleteExtraneous: boolean;
  host: string;
  /** For `checksum`: run `sha256sum` on the host over this connection (else the files are read through SFTP). */
  checksumWith?: SshConnection;
}

export interface SyncResult {
  uploaded: number;
  deleted: number;
  bytes: number;
}

/**
 * What `applySync` must do so that `remoteDir` holds the files of `localDir`: a file is sent when it is missing
 * there or differs by size, by mtime (whole seconds; `size_mtime`) or by sha256 (`checksum`). Only regular files
 * and directories are synced: local symlinks are left out (one pointing outside the tree is still refused), and
 * whatever the remote side has at their place is kept. A missing `remoteDir` means everything is new.
 * @throws SshError
 */
export async function planSync(
  sftp: SFTPWrapper,
  localDir: string,
  remoteDir: string,
  opts: SyncPlanOptions,
): Promise<SyncPlan> {
  checkRemotePath(remoteDir, 'remoteDir');
  const fs = new RemoteFs(sftp, opts.host);
  const local = await walkLocal(localDir).catch((err: unknown) => {
    throw sftpError(err, 'read local directory', localDir, 'this runner');
  });
  const remoteRoot = await fs.stat(remoteDir).catch((err: unknown) => {
    if (err instanceof SshError && err.code === SshErrorCode.SftpFileNotFound) return null;
    throw err;
  });
  if (remoteRoot && !remoteRoot.isDirectory())
    throw new SshError(SshErrorCode.SftpTransferFailed, `${remoteDir} on ${opts.host} is not a directory`);
  const remote = remoteRoot ? await walkRemote(fs, remoteDir, { recursive: true, links: false }) : [];
  const remoteByPath = new Map(remote.map((e) => [e.rel, e]));
  const plan: SyncPlan = { upload: [], delete: [], unchanged: 0 };
  const sameSize: TreeEntry[] = [];
  for (const file of local.filter((e) => e.type === 'file')) {
    const there = remoteByPath.get(file.rel);
    if (there?.type !== 'file') plan.upload.push({ path: file.rel, bytes: file.size, reason: 'new' });
    else if (there.size !== file.size) plan.upload.push({ path: file.rel, bytes: file.size, reason: 'size' });
    else if (opts.compare === SyncCompare.Checksum) sameSize.push(file);
    else if (there.mtime !== file.mtime) plan.upload.push({ path: file.rel, bytes: file.size, reason: 'mtime' });
    else plan.unchanged++;
  }
  if (sameSize.length > 0) {
    const differ = await checksumsDiffer(fs, localDir, remoteDir, sameSize, opts.checksumWith);
    for (const file of sameSize) {
      if (differ.has(file.rel)) plan.upload.push({ path: file.rel, bytes: file.size, reason: 'checksum' });
      else plan.unchanged++;
    }
  }
  plan.upload.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (opts.deleteExtraneous) plan.delete = extraneous(local, remote);
  return plan;
}

/** Remote entries with no local counterpart of the same kind (a local symlink keeps whatever is at its place). */
function extraneous(local: readonly TreeEntry[], remote: readonly TreeEntry[]): string[] {
  const localByPath = new Map(local.map((e) => [e.rel, e]));
  const kept = (e: TreeEntry) => {
    const here = localByPath.get(e.rel);
    return here !== undefined && (here.type === 'symlink' || here.type === e.type);
  };
  const gone = remote.filter((e) => !kept(e));
  const dirs = gone.filter((e) => e.type === 'directory').sort((a, b) => depth(b.rel) - depth(a.rel));
  return [...gone.filter((e) => e.type !== 'directory'), ...dirs].map((e) => e.rel);
}

async function checksumsDiffer(
  fs: RemoteFs,
  localDir: string,
  remoteDir: string,
  files: readonly TreeEntry[],
  conn: SshConnection | undefined,
): Promise<Set<string>> {
  const remotePath = (rel: string) => posix.join(remoteDir, rel);
  const onHost = conn
    ? await remoteSha256(
        conn,
        files.map((f) => remotePath(f.rel)),
      )
    : null;
  const differ = new Set<string>();
  for (const file of files) {
    const there = onHost?.get(remotePath(file.rel)) ?? (await remoteStreamSha256(fs, remotePath(file.rel)));
    if (there !== (await localSha256(join(localDir, ...file.rel.split('/'))))) differ.add(file.rel);
  }
  return differ;
}

/**
 * Carries out a plan: first the deletions (files and links, then the directories, which are empty by then), then
 * the uploads (parent directories created as needed with the local ones' modes; each file keeps its mode and
 * mtime). One progress meter covers the uploads; `resume` applies to each file. Entries already gone are fine (a
 * retry of a sync that was cut off).
 * @throws SshError
 */
export async function applySync(
  sftp: SFTPWrapper,
  localDir: string,
  remoteDir: string,
  plan: SyncPlan,
  opts: FileTransferOptions,
): Promise<SyncResult> {
  checkRemotePath(remoteDir, 'remoteDir');
  const fs = new RemoteFs(sftp, opts.host);
  const result: SyncResult = { uploaded: 0, deleted: 0, bytes: 0 };
  for (const rel of plan.delete) {
    const path = posix.join(remoteDir, relativeInside(rel, 'delete'));
    const there = await fs.lstatOrNull(path);
    if (!there) continue;
    await (there.isDirectory() ? fs.rmdir(path) : fs.unlink(path));
    result.deleted++;
  }
  const totals = { bytes: plan.upload.reduce((sum, u) => sum + u.bytes, 0), files: plan.upload.length };
  const ctx = transferContext(sftp, totals, opts);
  await ensureRemoteDir(fs, localDir, remoteDir, '');
  for (const item of plan.upload) {
    const rel = relativeInside(item.path, 'upload');
    const localPath = join(localDir, ...rel.split('/'));
    await checkLocalInside(localPath, localDir, 'upload path');
    const st = await lstat(localPath).catch((err: unknown) => {
      throw sftpError(err, 'read local file', localPath, 'this runner');
    });
    if (!st.isFile()) throw new SshError(SshErrorCode.SftpTransferFailed, `${localPath} is not a regular file`);
    await ensureRemoteDir(fs, localDir, remoteDir, posix.dirname(rel));
    const sent = await sendFile(ctx, localPath, localFileMeta(st), posix.join(remoteDir, rel), opts);
    result.uploaded++;
    result.bytes += sent.bytes;
  }
  ctx.meter.finish();
  return result;
}

/** A plan path, which may come from elsewhere (a job payload): relative, no `..`, no control characters. */
function relativeInside(rel: string, field: string): string {
  if (rel === '' || rel.startsWith('/') || posix.normalize(rel) !== rel) {
    throw new SshError(
      SshErrorCode.SftpInvalidPath,
      `${field} path ${JSON.stringify(rel)} is not a plain relative path`,
    );
  }
  checkRemotePath(rel, `${field} path`);
  return rel;
}

/** Creates the remote directory for `rel` (and its parents) with the modes of the local ones, when missing. */
async function ensureRemoteDir(fs: RemoteFs, localDir: string, remoteDir: string, rel: string): Promise<void> {
  const root = rel === '.' || rel === '';
  const path = root ? remoteDir : posix.join(remoteDir, rel);
  if ((await fs.lstatOrNull(path, root))?.isDirectory()) return;
  if (!root) await ensureRemoteDir(fs, localDir, remoteDir, posix.dirname(rel));
  const local = await lstat(root ? localDir : join(localDir, ...rel.split('/')));
  if (root) await fs.mkdirs(path, local.mode & 0o7777);
  else await fs.mkdir(path, local.mode & 0o7777);
}
