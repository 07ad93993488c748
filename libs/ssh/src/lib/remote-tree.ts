import { posix } from 'node:path';
import type { RemoteFs } from './sftp-fs';
import { checkEntryName } from './transfer-paths';
import { byPath, entryType, type TreeEntry } from './tree-entry';

/**
 * Everything under the remote directory `root`, parents first (or only its entries, without `recursive`). Symlinks
 * are never followed; with `links`, their targets are read. Every name the server lists is checked first: a hostile
 * listing (`..`, separators, control characters) fails the walk.
 * @throws SshError (SFTP_INVALID_PATH, SFTP_FILE_NOT_FOUND, SFTP_PERMISSION_DENIED, ...)
 */
export async function walkRemote(
  fs: RemoteFs,
  root: string,
  opts: { recursive: boolean; links: boolean },
): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const visit = async (rel: string): Promise<void> => {
    const dir = rel === '' ? root : posix.join(root, rel);
    for (const item of await fs.readdir(dir)) {
      checkEntryName(item.filename, dir, fs.host);
      const childRel = rel === '' ? item.filename : `${rel}/${item.filename}`;
      const type = entryType(item.attrs.mode);
      const entry: TreeEntry = {
        rel: childRel,
        type,
        size: item.attrs.size ?? 0,
        mode: (item.attrs.mode ?? 0) & 0o7777,
        atime: item.attrs.atime ?? 0,
        mtime: item.attrs.mtime ?? 0,
      };
      if (type === 'symlink' && opts.links) entry.target = await fs.readlink(posix.join(dir, item.filename));
      entries.push(entry);
      if (type === 'directory' && opts.recursive) await visit(childRel);
    }
  };
  await visit('');
  return entries.sort(byPath);
}
