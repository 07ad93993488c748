import type { FileTransferResult } from './one-file';
import { depth, type PathTransferResult, type TreeEntry } from './tree-entry';

/** How one destination (local or remote) is written. Paths are relative to the destination root. */
export interface TreeWriter {
  /** Creates the directory when missing (writable by us for now); anything else already there is refused. */
  ensureDir(rel: string, entry: TreeEntry): Promise<void>;
  file(entry: TreeEntry): Promise<FileTransferResult>;
  /** Replaces a file already there, never a directory. */
  symlink(entry: TreeEntry): Promise<void>;
  /** The directory's own mode and times, once nothing more is written into it. */
  finishDir(rel: string, entry: TreeEntry): Promise<void>;
}

/**
 * Writes a tree in an order that keeps it consistent: directories (parents first), files, symlinks last (so no
 * write goes through a link made here), then the directories' modes and times deepest first (a read-only
 * directory is made read-only once it is full; writing into a directory would change its mtime).
 */
export async function applyTree(
  root: TreeEntry,
  entries: readonly TreeEntry[],
  writer: TreeWriter,
): Promise<PathTransferResult> {
  const dirs = entries.filter((e) => e.type === 'directory');
  const result: PathTransferResult = { files: 0, directories: dirs.length, symlinks: 0, bytes: 0, resumedFrom: 0 };
  await writer.ensureDir('', root);
  for (const dir of dirs) await writer.ensureDir(dir.rel, dir);
  for (const entry of entries) {
    if (entry.type !== 'file') continue;
    const sent = await writer.file(entry);
    result.files += 1;
    result.bytes += sent.bytes;
    result.resumedFrom += sent.resumedFrom;
  }
  for (const entry of entries) {
    if (entry.type !== 'symlink') continue;
    await writer.symlink(entry);
    result.symlinks += 1;
  }
  for (const dir of [...dirs].sort((a, b) => depth(b.rel) - depth(a.rel))) await writer.finishDir(dir.rel, dir);
  await writer.finishDir('', root);
  return result;
}

/** Totals for the progress meter: the bytes and number of the files. */
export function treeTotals(entries: readonly TreeEntry[]): { bytes: number; files: number } {
  const files = entries.filter((e) => e.type === 'file');
  return { bytes: files.reduce((sum, f) => sum + f.size, 0), files: files.length };
}
