import { InventoryType } from '@semaphore/models';
import { relativePathProblem } from '../../common/validators';

// eslint-disable-next-line no-control-regex
const SPACE_OR_CONTROL = /[\u0000-\u0020\u007f]/;

/**
 * The problem with the `inventory` text for its type, naming the field, or null. `static` and `static-yaml` texts are
 * not parsed here (ansible reads them; js-yaml is not a runtime dependency of the api).
 */
export function inventoryTextProblem(type: InventoryType, text: string): string | null {
  switch (type) {
    case InventoryType.File: {
      const problem = relativePathProblem(text);
      return problem ? `inventory (a file path) ${problem}` : null;
    }
    case InventoryType.TerraformWorkspace:
    case InventoryType.TofuWorkspace: {
      const problem = workspaceProblem(text);
      return problem ? `inventory (a workspace name) ${problem}` : null;
    }
    default:
      return null;
  }
}

/** A terraform/tofu workspace name: it becomes an argument of `terraform workspace select`. */
function workspaceProblem(name: string): string | null {
  if (name === '') return 'must not be empty';
  if (name.length > 255) return 'must be at most 255 characters';
  if (name.startsWith('-')) return 'must not start with "-"';
  if (SPACE_OR_CONTROL.test(name) || name.includes('/')) return 'must not contain spaces, "/" or control characters';
  return null;
}
