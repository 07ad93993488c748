import { posix } from 'node:path';

/*
 * Git URLs and refs given by clients (SECURITY.md §3, §6). Each check returns a problem description that follows the
 * field name (`git_url must not start with "-"`), or null when the value is fine. Git itself never runs in the api;
 * these checks make sure the runner can place the values in an argv without them being read as options or as a
 * transport that runs commands (`ext::`, `--upload-pack=...`).
 */

// eslint-disable-next-line no-control-regex
const SPACE_OR_CONTROL = /[\u0000-\u0020\u007f]/;
const MAX_GIT_URL_LENGTH = 2048;
const MAX_GIT_REF_LENGTH = 255;

/** URL schemes a repository may use (`file://` is a local repository). */
export const GIT_URL_SCHEMES = ['https', 'http', 'ssh', 'git', 'file'] as const;

/** How the runner reaches a repository: upstream infers it from the URL (reference §1.4 Repository). */
export type GitUrlKind = 'local' | 'https' | 'http' | 'ssh' | 'git' | 'scp';

/** `user@host:path`, the scp-like ssh form. The user, host and path cannot start with `-`. */
const SCP_FORM =
  /^([A-Za-z0-9_][A-Za-z0-9._~+-]*)@([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):([^-].*)$/;
const SCHEME_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

const FORMS_HELP =
  'must be an https://, http://, ssh://, git:// or file:// URL, an absolute local path, or the scp form user@host:path';
const CREDENTIALS_HELP =
  'must not contain credentials (user:password@host): store them in a login_password access key and select it as ssh_key_id';

/** The kind of a URL that passed `gitUrlProblem`; null for anything else. */
export function gitUrlKind(url: string): GitUrlKind | null {
  if (gitUrlProblem(url) !== null) return null;
  if (url.startsWith('/')) return 'local';
  const scheme = SCHEME_PREFIX.exec(url)?.[1].toLowerCase();
  if (scheme === 'file') return 'local';
  if (scheme === 'https' || scheme === 'http' || scheme === 'ssh' || scheme === 'git') return scheme;
  return 'scp';
}

/** A local repository (absolute path or file://): upstream needs no branch for those. */
export function isLocalGitUrl(url: string): boolean {
  return gitUrlKind(url) === 'local';
}

export function gitUrlProblem(url: string): string | null {
  if (url === '') return 'is required';
  if (url.length > MAX_GIT_URL_LENGTH) return `must be at most ${MAX_GIT_URL_LENGTH} characters`;
  if (url.startsWith('-')) return 'must not start with "-"';
  if (SPACE_OR_CONTROL.test(url)) return 'must not contain spaces or control characters';
  if (url.startsWith('/')) return localPathProblem(url);
  const scheme = SCHEME_PREFIX.exec(url);
  if (scheme) return schemeUrlProblem(url, scheme[1].toLowerCase());
  const scp = SCP_FORM.exec(url);
  if (scp) return scp[3].includes('://') ? FORMS_HELP : null;
  // Catches `ext::sh -c ...`, `fd::`, `https:host`, `C:\path`, `host:path` without a user, `-oProxyCommand=...`.
  return FORMS_HELP;
}

function localPathProblem(path: string): string | null {
  if (path.split('/').includes('..')) return 'must not contain ".." path segments';
  if (posix.normalize(path) === '/') return 'must not be the root directory';
  return null;
}

function schemeUrlProblem(url: string, scheme: string): string | null {
  if (!(GIT_URL_SCHEMES as readonly string[]).includes(scheme)) {
    return `uses the scheme ${scheme}:// which is not allowed (${GIT_URL_SCHEMES.join(', ')})`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.password || ((scheme === 'https' || scheme === 'http') && parsed.username)) return CREDENTIALS_HELP;
  if (scheme === 'file') {
    if (parsed.host !== '') return 'must be file:///path (a path on this host)';
    return localPathProblem(decodeURIComponent(parsed.pathname));
  }
  if (!parsed.hostname) return 'must name a host';
  if (!/^[A-Za-z0-9[]/.test(parsed.hostname)) return 'must name a host starting with a letter or digit';
  if (parsed.pathname === '' || parsed.pathname === '/') return 'must name a repository path';
  return null;
}

/**
 * `git check-ref-format --branch` rules for a branch or other ref name, plus no leading `-` (it would be read as an
 * option). The empty string is a problem here; callers decide when a ref is optional.
 */
export function gitBranchProblem(branch: string): string | null {
  if (branch === '') return 'must not be empty';
  if (branch.length > MAX_GIT_REF_LENGTH) return `must be at most ${MAX_GIT_REF_LENGTH} characters`;
  if (branch.startsWith('-')) return 'must not start with "-"';
  if (SPACE_OR_CONTROL.test(branch)) return 'must not contain spaces or control characters';
  if (/[~^:?*[\\]/.test(branch)) return 'must not contain any of ~ ^ : ? * [ \\';
  if (branch.includes('..')) return 'must not contain ".."';
  if (branch === '@' || branch.includes('@{')) return 'must not be "@" or contain "@{"';
  if (branch.startsWith('/') || branch.endsWith('/') || branch.includes('//')) {
    return 'must not start or end with "/" or contain "//"';
  }
  if (branch.endsWith('.')) return 'must not end with "."';
  const parts = branch.split('/');
  if (parts.some((part) => part.startsWith('.'))) return 'must not have a path component starting with "."';
  if (parts.some((part) => part.endsWith('.lock'))) return 'must not have a path component ending with ".lock"';
  return null;
}
