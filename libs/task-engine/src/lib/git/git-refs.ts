import { UnsafeArgumentError } from '../apps/arg-safety';

/** Git URL forms accepted for repositories: https/http/ssh/git/file URLs, scp-like `user@host:path`, or an absolute path. */
export function assertGitUrl(url: string): string {
  if (!url) throw new UnsafeArgumentError('git_url', 'is required');
  if (url.startsWith('-')) throw new UnsafeArgumentError('git_url', 'must not start with "-"');
  if (/[\0\r\n\s]/.test(url)) throw new UnsafeArgumentError('git_url', 'must not contain spaces or control characters');
  if (url.startsWith('/')) return url;
  if (/^(https?|ssh|git|file):\/\//i.test(url)) {
    const parsed = new URL(url);
    if (parsed.password) {
      throw new UnsafeArgumentError('git_url', 'must not embed credentials: use a login_password access key');
    }
    return url;
  }
  if (/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^:]/.test(url) || /^[A-Za-z0-9.-]+:[^/].*/.test(url)) return url;
  throw new UnsafeArgumentError(
    'git_url',
    'must be an https://, ssh://, git:// or file:// URL, user@host:path, or an absolute path',
  );
}

/** A branch or tag name by `git check-ref-format` rules, never an option. */
export function assertGitRef(field: string, ref: string): string {
  const bad =
    !ref ||
    ref.startsWith('-') ||
    ref.startsWith('/') ||
    ref.endsWith('/') ||
    ref.endsWith('.') ||
    ref.endsWith('.lock') ||
    ref.includes('..') ||
    ref.includes('//') ||
    ref.includes('@{') ||
    ref === '@' ||
    /[\0-\x20\x7f~^:?*[\\]/.test(ref) ||
    ref.split('/').some((part) => part.startsWith('.'));
  if (bad) throw new UnsafeArgumentError(field, 'is not a valid git branch or tag name');
  return ref;
}

/** A full or abbreviated commit hash. */
export function assertCommitHash(hash: string): string {
  if (!/^[0-9a-f]{7,64}$/i.test(hash))
    throw new UnsafeArgumentError('commit_hash', 'must be a hexadecimal commit hash');
  return hash;
}
