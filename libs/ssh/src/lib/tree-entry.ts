/** One entry of a directory tree being transferred, local or remote. */
export interface TreeEntry {
  /** Relative to the tree's root, `/`-separated; `''` is the root itself. */
  rel: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  /** Permission bits (07777). */
  mode: number;
  /** Seconds since the epoch. */
  atime: number;
  mtime: number;
  /** Symlinks: the link text to recreate. */
  target?: string;
}

export interface PathTransferResult {
  files: number;
  directories: number;
  symlinks: number;
  /** Bytes of all files, resumed ones included. */
  bytes: number;
  /** Bytes that were already at the destination and were kept (resume), over all files. */
  resumedFrom: number;
}

const S_IFMT = 0o170000;

/** The entry type of a POSIX `st_mode`. */
export function entryType(mode: number | undefined): TreeEntry['type'] {
  switch ((mode ?? 0) & S_IFMT) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'directory';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}

/** Parents before children (by path), so a directory exists before what it holds. */
export function byPath(a: { rel: string }, b: { rel: string }): number {
  return a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0;
}

export function depth(rel: string): number {
  return rel === '' ? 0 : rel.split('/').length;
}
