import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { remoteEntryNameProblem, remotePathProblem } from '@semaphore/models';
import { SshError, SshErrorCode } from './ssh-error';

/**
 * A remote path argument, checked as the api checks it (SECURITY.md §3): no `..` segment, no leading `-`, no
 * control characters.
 * @throws SshError (SFTP_INVALID_PATH) naming the argument and the problem
 */
export function checkRemotePath(path: string, field: string): void {
  const problem = remotePathProblem(path);
  if (problem) throw new SshError(SshErrorCode.SftpInvalidPath, `${field} ${problem} (got ${JSON.stringify(path)})`);
}

/**
 * A name from a remote directory listing, before it becomes part of a path here or there: a hostile server could
 * send `..`, a separator or control characters.
 * @throws SshError (SFTP_INVALID_PATH)
 */
export function checkEntryName(name: string, dir: string, host: string): void {
  const problem = remoteEntryNameProblem(name);
  if (problem)
    throw new SshError(
      SshErrorCode.SftpInvalidPath,
      `the listing of ${dir} on ${host} has an entry ${JSON.stringify(name)} that ${problem}: refusing it`,
    );
}

/** True when `path` is `root` or below it (both absolute, normalised). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * `localPath` itself, once checked to stay inside `root` after symlinks are resolved (when `root` is given; the path
 * need not exist yet, its nearest existing ancestor is checked then).
 * @throws SshError (SFTP_INVALID_PATH)
 */
export async function checkLocalInside(localPath: string, root: string | undefined, field: string): Promise<void> {
  if (root === undefined) return;
  const realRoot = await realpath(root).catch(() => resolve(root));
  const real = await realExisting(resolve(localPath));
  if (!isInside(realRoot, real))
    throw new SshError(SshErrorCode.SftpInvalidPath, `${field} ${localPath} is outside ${root}`);
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest. */
async function realExisting(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = resolve(path, '..');
    if (parent === path) return path;
    return resolve(await realExisting(parent), relative(parent, path));
  }
}
