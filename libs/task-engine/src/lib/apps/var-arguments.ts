/**
 * `name=value` as a shell app argument. Unlike upstream's `%s` formatting (which prints `%!s(float64=1)` for numbers),
 * strings are passed as they are and everything else as JSON.
 */
export function formatVarArgument(name: string, value: unknown): string {
  return `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
}
