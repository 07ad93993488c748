/** Thrown when a user value would be unsafe on a command line; the message names the field. */
export class UnsafeArgumentError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field} ${reason}`);
    this.name = 'UnsafeArgumentError';
  }
}

/**
 * A path relative to the task workspace: not absolute, no `..` segment, not starting with `-` (it would be read as an
 * option), no NUL or newline.
 */
export function assertRelativePath(field: string, value: string): string {
  if (!value) throw new UnsafeArgumentError(field, 'is required');
  if (value.startsWith('-')) throw new UnsafeArgumentError(field, 'must not start with "-"');
  if (value.startsWith('/')) throw new UnsafeArgumentError(field, 'must be a relative path');
  if (/[\0\r\n]/.test(value)) throw new UnsafeArgumentError(field, 'must not contain control characters');
  if (value.split(/[\\/]/).includes('..')) throw new UnsafeArgumentError(field, 'must not contain ".."');
  return value;
}

/** Free text that ends up inside a single `--opt=value` argument: no control characters. */
export function assertOptionValue(field: string, value: string): string {
  if (/[\0\r\n]/.test(value)) throw new UnsafeArgumentError(field, 'must not contain control characters');
  return value;
}

/** A name used inside an option (vault ids): letters, digits, `_ . -`, not starting with `-`. */
export function assertName(field: string, value: string): string {
  if (!/^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,127}$/.test(value)) {
    throw new UnsafeArgumentError(field, 'may contain only letters, digits, "_", "." and "-"');
  }
  return value;
}
