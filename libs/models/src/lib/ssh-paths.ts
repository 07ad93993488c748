/**
 * Path checks of ssh/sftp operations (SECURITY.md §3), shared by the api (validation, 400 naming the field) and the
 * runners (checked again before use). Each returns a problem description to follow the field name, or null.
 */

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

function segments(path: string): string[] {
  return path.replace(/\\/g, '/').split('/');
}

/** A path on a remote host: absolute or relative to the login directory, no `..` segment, no leading `-`. */
export function remotePathProblem(path: string): string | null {
  if (path === '') return 'must not be empty';
  if (path.length > 4096) return 'must be at most 4096 characters';
  if (CONTROL_CHARS.test(path)) return 'must not contain control characters';
  if (path.startsWith('-')) return 'must not start with "-"';
  if (segments(path).includes('..')) return 'must not contain ".." segments';
  return null;
}

/**
 * A path inside the task's workspace (the repository checkout, or the artifact area of downloads): relative, no `..`
 * segment, no leading `/` or `-`. `.` (the whole directory) is allowed.
 */
export function workspacePathProblem(path: string): string | null {
  if (path === '') return 'must not be empty';
  if (path.length > 4096) return 'must be at most 4096 characters';
  if (CONTROL_CHARS.test(path)) return 'must not contain control characters';
  const unified = path.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[A-Za-z]:/.test(unified)) return 'must be a relative path';
  if (unified.startsWith('-')) return 'must not start with "-"';
  if (segments(unified).includes('..')) return 'must stay inside the workspace (no ".." segments)';
  return null;
}

/** One name of a remote directory listing used as a local file name: not empty, `.`, `..`, nor with a separator. */
export function remoteEntryNameProblem(name: string): string | null {
  if (name === '' || name === '.' || name === '..') return 'is not a file name';
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  if (CONTROL_CHARS.test(name)) return 'contains control characters';
  return null;
}
