import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { assertRelativePath } from '../apps/arg-safety';
import { JobErrorCode, JobPrepareError } from './job-errors';

/**
 * The absolute path of a `file` inventory inside `baseDir` (the template's or the inventory's own checkout): relative,
 * no `..`, and, once symlinks are resolved, still inside `baseDir`.
 * @throws UnsafeArgumentError for a bad path, JobPrepareError (INVENTORY_NOT_FOUND) when it is missing or escapes
 */
export async function inventoryFilePath(baseDir: string, inventory: string, where: string): Promise<string> {
  const relative = assertRelativePath('inventory', inventory);
  const candidate = join(baseDir, relative);
  let real: string;
  let root: string;
  try {
    [real, root] = await Promise.all([realpath(candidate), realpath(baseDir)]);
  } catch {
    throw new JobPrepareError(JobErrorCode.InventoryNotFound, `inventory file ${relative} not found in ${where}`);
  }
  if (real !== root && !real.startsWith(root + sep)) {
    throw new JobPrepareError(JobErrorCode.InventoryNotFound, `inventory file ${relative} points outside ${where}`);
  }
  return candidate;
}
