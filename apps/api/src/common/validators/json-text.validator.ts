/*
 * JSON text fields (environment `json`/`env`, template `arguments`...): the text must parse to the right shape
 * (SECURITY.md §10). Each check returns a problem that follows the field name, or null.
 */

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object, e.g. extra variables `{"key": "value"}`. */
export function jsonObjectProblem(text: string): string | null {
  const parsed = parse(text);
  if (!parsed.ok) return 'must be valid JSON (an object such as {"key": "value"})';
  return isPlainObject(parsed.value) ? null : 'must be a JSON object such as {"key": "value"}';
}

/**
 * A JSON object of string values usable as process environment variables: names non-empty without `=` or NUL,
 * values strings without NUL.
 */
export function jsonStringMapProblem(text: string): string | null {
  const parsed = parse(text);
  if (!parsed.ok || !isPlainObject(parsed.value)) {
    return 'must be a JSON object of string values such as {"NAME": "value"}';
  }
  for (const [name, value] of Object.entries(parsed.value)) {
    if (name === '' || name.includes('=') || name.includes('\u0000')) {
      return 'must have variable names that are not empty and contain no "=" or NUL';
    }
    if (typeof value !== 'string') return `must have string values only (${JSON.stringify(name)} is not a string)`;
    if (value.includes('\u0000')) return 'must not have NUL characters in values';
  }
  return null;
}

/** A JSON array of strings, e.g. extra command-line arguments `["--check"]`. */
export function jsonStringArrayProblem(text: string): string | null {
  const parsed = parse(text);
  if (!parsed.ok) return 'must be valid JSON (an array of strings)';
  if (!Array.isArray(parsed.value) || parsed.value.some((item) => typeof item !== 'string')) {
    return 'must be a JSON array of strings';
  }
  return null;
}
