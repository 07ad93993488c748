/** `?sort=&order=` of a list route. */
export interface ListOrder<C extends string> {
  sort: C;
  desc: boolean;
}

/**
 * Reads `?sort=<column>&order=asc|desc` leniently, as upstream (reference §1.1): a column outside the whitelist (or a
 * repeated/odd parameter) falls back to `fallback`, anything but `desc` is ascending. Never an error, and the result
 * only ever holds a whitelisted column name, so it can be mapped to an entity property safely.
 */
export function listOrder<C extends string>(
  sort: unknown,
  order: unknown,
  columns: readonly C[],
  fallback: C,
): ListOrder<C> {
  const column = columns.find((c) => c === sort) ?? fallback;
  return { sort: column, desc: typeof order === 'string' && order.toLowerCase() === 'desc' };
}
