import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';

/**
 * `relative` (already checked to be relative without `..`) joined to `baseDir`, once symlinks are resolved: the real
 * path, `missing` when it does not exist, or `outside` when a symlink leads out of `baseDir`.
 */
export async function realPathInside(baseDir: string, relative: string): Promise<string | 'missing' | 'outside'> {
  let real: string;
  let root: string;
  try {
    [real, root] = await Promise.all([realpath(join(baseDir, relative)), realpath(baseDir)]);
  } catch {
    return 'missing';
  }
  return real === root || real.startsWith(root + sep) ? real : 'outside';
}
