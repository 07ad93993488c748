/**
 * One argument for a POSIX shell: wrapped in single quotes, each embedded quote closed, escaped and reopened. The
 * result is always a single word, whatever `value` holds.
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
