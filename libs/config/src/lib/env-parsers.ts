/** Parsers for environment variable values. Each throws a message that does not repeat the value (it may be a secret). */

export function parseBool(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new Error('must be a boolean (true/false, 1/0, yes/no)');
}

export function parseInteger(raw: string, min: number, max: number): number {
  const v = raw.trim();
  if (!/^-?\d+$/.test(v)) throw new Error('must be an integer');
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`must be an integer from ${min} to ${max}`);
  return n;
}

/** Upstream writes the port as ":3000"; plain "3000" is accepted too. */
export function parsePort(raw: string): number {
  return parseInteger(raw.trim().replace(/^:/, ''), 1, 65535);
}

export function parseUrl(raw: string, protocols: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`must be a URL (${protocols.join(', ')})`);
  }
  if (!protocols.includes(url.protocol)) throw new Error(`must be a URL with scheme ${protocols.join(' or ')}`);
  return url;
}

/** A base64 key that decodes to exactly `bytes` bytes (or at least `bytes` when `atLeast`). */
export function parseBase64Key(raw: string, bytes: number, atLeast = false): Buffer {
  const v = raw.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) throw new Error(`must be base64 of ${bytes} random bytes`);
  const key = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (atLeast ? key.length < bytes : key.length !== bytes) {
    throw new Error(`must be base64 of ${atLeast ? 'at least ' : ''}${bytes} bytes (got ${key.length})`);
  }
  return key;
}

export function parseJson<T>(raw: string, check: (v: unknown) => v is T, expected: string): T {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new Error(`must be JSON (${expected})`);
  }
  if (!check(v)) throw new Error(`must be ${expected}`);
  return v;
}

export function parseList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseEnum<T extends string>(raw: string, values: readonly T[]): T {
  const v = raw.trim().toLowerCase();
  if (!(values as readonly string[]).includes(v)) throw new Error(`must be one of ${values.join(', ')}`);
  return v as T;
}
