import { join } from 'node:path';
import { assertRelativePath } from '../apps/arg-safety';
import { JobErrorCode, JobPrepareError } from './job-errors';
import { realPathInside } from './path-inside';

/**
 * The absolute path of a `file` inventory inside `baseDir` (the template's or the inventory's own checkout): relative,
 * no `..`, and, once symlinks are resolved, still inside `baseDir`.
 * @throws UnsafeArgumentError for a bad path, JobPrepareError (INVENTORY_NOT_FOUND) when it is missing or escapes
 */
export async function inventoryFilePath(baseDir: string, inventory: string, where: string): Promise<string> {
  const relative = assertRelativePath('inventory', inventory);
  const real = await realPathInside(baseDir, relative);
  if (real === 'missing') {
    throw new JobPrepareError(JobErrorCode.InventoryNotFound, `inventory file ${relative} not found in ${where}`);
  }
  if (real === 'outside') {
    throw new JobPrepareError(JobErrorCode.InventoryNotFound, `inventory file ${relative} points outside ${where}`);
  }
  return join(baseDir, relative);
}
