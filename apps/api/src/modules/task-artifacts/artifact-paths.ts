import { relative, sep, isAbsolute } from 'node:path';
import { workspacePathProblem } from '@semaphore/models';
import { ArtifactErrorCode, ArtifactException } from './artifact.exception';

/** Longest name of one path segment, in bytes (NAME_MAX of Linux file systems). */
const NAME_MAX_BYTES = 255;

function badPath(problem: string): ArtifactException {
  return new ArtifactException(ArtifactErrorCode.BadPath, `path ${problem}`);
}

/**
 * The names of `path` (a file below a task's artifact directory), from the top: relative, no `..`, no leading `/` or
 * `-`, no control characters (`workspacePathProblem`); `\` separates like `/`; empty and `.` segments are dropped.
 * @throws ArtifactException (BadPath) naming `path`
 */
export function artifactPathSegments(path: unknown): string[] {
  if (typeof path !== 'string') throw badPath(path === undefined ? 'is required' : 'must be a single string');
  const problem = workspacePathProblem(path);
  if (problem) throw badPath(problem);
  const segments = path.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
  if (!segments.length || /[\\/]$/.test(path)) throw badPath('must name a file');
  if (segments.some((s) => Buffer.byteLength(s) > NAME_MAX_BYTES)) {
    throw badPath(`must not have a name longer than ${NAME_MAX_BYTES} bytes`);
  }
  return segments;
}

/** `candidate` is `root` itself or below it (both absolute, already resolved). */
export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** The wire form of a path below a task's directory: `/`-separated. */
export function wirePath(segments: readonly string[]): string {
  return segments.join('/');
}
