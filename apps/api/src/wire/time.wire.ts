import type { WireTime } from '@semaphore/models';

/**
 * A Date as the Go server writes a `time.Time`: RFC 3339 in UTC, built from `Date.toISOString()` with the trailing zeros
 * of the fraction removed the way Go's RFC3339Nano does (`2024-10-25T00:00:00Z`, `2024-10-25T00:43:48.12Z`).
 * Both forms are valid RFC 3339; trimming keeps responses byte-identical to upstream for golden-file diffs.
 */
export function toWireTime(date: Date): WireTime;
export function toWireTime(date: Date | null): WireTime | null;
export function toWireTime(date: Date | null): WireTime | null {
  if (date === null) return null;
  const iso = date.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ; throws RangeError on an invalid Date (a programming error)
  const dot = iso.lastIndexOf('.');
  const fraction = iso.slice(dot + 1, -1).replace(/0+$/, '');
  return fraction ? `${iso.slice(0, dot)}.${fraction}Z` : `${iso.slice(0, dot)}Z`;
}
