import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { remoteFileMeta } from './one-file';
import { walkRemote } from './remote-tree';
import { RemoteFs } from './sftp-fs';
import { checkRemotePath } from './transfer-paths';
import { entryType, type TreeEntry } from './tree-entry';

export interface RemoteEntry {
  /** `path` as given joined with the entry's place below it. */
  path: string;
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  /** Octal permission bits, e.g. `0644`. */
  mode: string;
  /** ISO 8601. */
  mtime: string;
}

/**
 * The entries of a remote directory (all levels with `recursive`; symlinks are listed, not followed), or the one
 * entry of a file, sorted by path. Names a hostile server could use to confuse a consumer are refused.
 * @throws SshError (SFTP_INVALID_PATH, SFTP_FILE_NOT_FOUND, SFTP_PERMISSION_DENIED, ...)
 */
export async function listRemote(
  sftp: SFTPWrapper,
  path: string,
  opts: { recursive?: boolean; host: string },
): Promise<RemoteEntry[]> {
  checkRemotePath(path, 'path');
  const fs = new RemoteFs(sftp, opts.host);
  const st = await fs.stat(path, 'list remote path');
  if (!st.isDirectory()) {
    const name = posix.basename(path);
    return [describe(path, name, { rel: name, type: entryType(st.mode), ...remoteFileMeta(st) })];
  }
  const entries = await walkRemote(fs, path, { recursive: opts.recursive ?? false, links: false });
  return entries
    .map((e) => describe(posix.join(path, e.rel), posix.basename(e.rel), e))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function describe(path: string, name: string, e: TreeEntry): RemoteEntry {
  return {
    path,
    name,
    type: e.type,
    size: e.size,
    mode: e.mode.toString(8).padStart(4, '0'),
    mtime: new Date(e.mtime * 1000).toISOString(),
  };
}
