import { posix } from 'node:path';

/*
 * Private checks of template fields (SECURITY.md §3). Each returns a problem description (to follow the field name) or
 * null when the value is fine. Kept here because apps/api/src/common/validators did not exist yet.
 */

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** A path inside the repository: relative, no `..` escape, no leading `/` or `-` (it could become an option). */
export function relativePathProblem(path: string): string | null {
  if (CONTROL_CHARS.test(path)) return 'must not contain control characters';
  const unified = path.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[A-Za-z]:/.test(unified)) return 'must be a relative path';
  if (unified.startsWith('-')) return 'must not start with "-"';
  const normalized = posix.normalize(unified);
  if (normalized === '..' || normalized.startsWith('../')) return 'must stay inside the repository (no ".." escape)';
  if (normalized.startsWith('-')) return 'must not start with "-"';
  return null;
}

/** `git check-ref-format` rules for a branch name, plus no leading `-`. */
export function gitBranchProblem(branch: string): string | null {
  if (branch.startsWith('-')) return 'must not start with "-"';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(branch)) return 'contains a character not allowed in a git branch';
  if (branch === '@' || branch.includes('..') || branch.includes('@{') || branch.includes('//')) {
    return 'is not a valid git branch name';
  }
  if (branch.startsWith('/') || branch.endsWith('/') || branch.endsWith('.') || branch.endsWith('.lock')) {
    return 'is not a valid git branch name';
  }
  if (branch.split('/').some((part) => part.startsWith('.'))) return 'is not a valid git branch name';
  return null;
}

/** `arguments`: JSON text of an array of strings. */
export function argumentsProblem(text: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'must be valid JSON (an array of strings)';
  }
  if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== 'string')) {
    return 'must be a JSON array of strings';
  }
  return null;
}
