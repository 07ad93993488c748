import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { SshError, SshErrorCode } from './ssh-error';
import { isInside } from './transfer-paths';
import { byPath, entryType, type TreeEntry } from './tree-entry';

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Everything under the local directory `root`, parents first: files, directories and symlinks (never followed).
 * A symlink is kept only when it resolves inside the tree, as a relative link; one that points outside it or to
 * nothing is refused, so nothing outside the tree can be sent. Sockets, FIFOs and devices are left out.
 * @throws SshError (SFTP_INVALID_PATH for such a symlink)
 */
export async function walkLocal(root: string): Promise<TreeEntry[]> {
  const realRoot = await realpath(root);
  const entries: TreeEntry[] = [];
  const visit = async (rel: string): Promise<void> => {
    const dir = join(realRoot, rel);
    for (const name of (await readdir(dir)).sort()) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const full = join(dir, name);
      const st = await lstat(full);
      const type = entryType(st.mode);
      if (type === 'other') continue;
      const entry: TreeEntry = {
        rel: childRel,
        type,
        size: type === 'file' ? st.size : 0,
        mode: st.mode & 0o7777,
        atime: seconds(st.atimeMs),
        mtime: seconds(st.mtimeMs),
      };
      if (type === 'symlink') entry.target = await linkInside(realRoot, full, root);
      entries.push(entry);
      if (type === 'directory') await visit(childRel);
    }
  };
  await visit('');
  return entries.sort(byPath);
}

/** The link text to recreate a symlink that resolves inside the tree: relative, `/`-separated. */
async function linkInside(realRoot: string, link: string, root: string): Promise<string> {
  const text = await readlink(link);
  const resolved = await realpath(link).catch(() => null);
  if (resolved === null || !isInside(realRoot, resolved)) {
    const why = resolved === null ? 'which does not resolve' : 'outside the tree';
    throw new SshError(
      SshErrorCode.SftpInvalidPath,
      `${join(root, relative(realRoot, link))} is a symlink to ${JSON.stringify(text)}, ${why}: refusing to send it`,
    );
  }
  return relative(dirname(link), resolved).split(sep).join('/') || '.';
}
