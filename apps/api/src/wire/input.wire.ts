/**
 * Readers for request bodies, used by the `fromWireX` mappers. They check the JSON type shape only (a string is a string,
 * an int is a safe integer, an enum value is a member of its enum); anything else is left out, so the result only holds
 * fields the client really sent with the right type. Real validation with error messages is the DTOs' job.
 *
 * Keys match case-insensitively, as with Go's `encoding/json` (upstream's `helpers.Bind`): for duplicates the last one
 * wins. Unknown keys are ignored.
 */
export type WireBody = ReadonlyMap<string, unknown>;

/** Normalizes a parsed JSON body. A value that is not a JSON object gives an empty body. */
export function wireBody(body: unknown): WireBody {
  const map = new Map<string, unknown>();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return map;
  for (const [key, value] of Object.entries(body)) map.set(key.toLowerCase(), value);
  return map;
}

export function readString(body: WireBody, key: string): string | undefined {
  const value = body.get(key);
  return typeof value === 'string' ? value : undefined;
}

/** A string, or null when the client sent `null` explicitly. */
export function readNullableString(body: WireBody, key: string): string | null | undefined {
  return body.get(key) === null ? null : readString(body, key);
}

export function readInt(body: WireBody, key: string): number | undefined {
  const value = body.get(key);
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

export function readNullableInt(body: WireBody, key: string): number | null | undefined {
  return body.get(key) === null ? null : readInt(body, key);
}

export function readBoolean(body: WireBody, key: string): boolean | undefined {
  const value = body.get(key);
  return typeof value === 'boolean' ? value : undefined;
}

/** A value of a string enum; a value outside the enum is left out. */
export function readEnum<E extends string>(body: WireBody, key: string, values: Record<string, E>): E | undefined {
  const value = body.get(key);
  return (Object.values(values) as unknown[]).includes(value) ? (value as E) : undefined;
}

/** A JSON object (not an array), or null. */
export function readNullableObject(body: WireBody, key: string): Record<string, unknown> | null | undefined {
  const value = body.get(key);
  if (value === null) return null;
  return typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The items of a JSON array that are objects, each normalized; undefined when the key is not an array. */
export function readObjectArray(body: WireBody, key: string): WireBody[] | undefined {
  const value = body.get(key);
  if (!Array.isArray(value)) return undefined;
  return value.filter((item) => typeof item === 'object' && item !== null && !Array.isArray(item)).map(wireBody);
}

export type Compact<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/** Drops the keys whose value is undefined (fields the client did not send). */
export function compact<T extends object>(fields: T): Compact<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out as Compact<T>;
}
