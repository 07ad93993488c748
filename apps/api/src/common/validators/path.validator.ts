import { posix } from 'node:path';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const MAX_PATH_LENGTH = 1024;

/**
 * A path inside a workspace (playbook, inventory file...): relative, no `..` escape, no leading `/` or `-` (it could
 * become an option), no control characters (SECURITY.md §3). Returns a problem that follows the field name, or null.
 * `a/../b` is fine (it stays inside); `../b`, `a/../../b` and `/etc/passwd` are not.
 */
export function relativePathProblem(path: string): string | null {
  if (path === '') return 'must not be empty';
  if (path.length > MAX_PATH_LENGTH) return `must be at most ${MAX_PATH_LENGTH} characters`;
  if (CONTROL_CHARS.test(path)) return 'must not contain control characters';
  const unified = path.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[A-Za-z]:/.test(unified) || unified.startsWith('~')) {
    return 'must be a relative path';
  }
  if (unified.startsWith('-')) return 'must not start with "-"';
  const normalized = posix.normalize(unified);
  if (normalized === '..' || normalized.startsWith('../')) return 'must stay inside the workspace (no ".." escape)';
  if (normalized.startsWith('-')) return 'must not start with "-"';
  return null;
}
