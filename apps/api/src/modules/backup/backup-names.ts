/** Largest name (and view title) a backup holds: the width of the name columns. */
export const MAX_NAME_LENGTH = 255;

// eslint-disable-next-line no-control-regex
export const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS_GLOBAL = /[\u0000-\u001f\u007f]/g;

/**
 * A name as it goes into a backup: control characters (which a restore refuses) become spaces, and an empty name
 * becomes `unnamed`, so that every export can be restored.
 */
export function exportedName(name: string): string {
  const clean = name.replace(CONTROL_CHARACTERS_GLOBAL, ' ');
  return clean === '' ? 'unnamed' : clean;
}

/**
 * Names unique within one section, chosen deterministically (upstream appends ` - <10 random characters>`, so two
 * exports of the same project differ). Items are taken in id order: every name keeps its holder with the lowest id;
 * each later holder of the same name becomes `<name> (2)`, `(3)`, ... (the first number that no other item uses; the
 * name is shortened so that the result stays within 255 characters). Returns the name of every item by id.
 */
export function uniqueNames<T extends { id: number }>(
  items: readonly T[],
  nameOf: (item: T) => string,
): Map<number, string> {
  const sorted = [...items].sort((a, b) => a.id - b.id);
  const result = new Map<number, string>();
  const taken = new Set<string>();
  const duplicates: T[] = [];
  for (const item of sorted) {
    const name = exportedName(nameOf(item));
    if (taken.has(name)) {
      duplicates.push(item);
    } else {
      taken.add(name);
      result.set(item.id, name);
    }
  }
  for (const item of duplicates) {
    const base = exportedName(nameOf(item));
    let n = 2;
    let candidate = withSuffix(base, n);
    while (taken.has(candidate)) candidate = withSuffix(base, ++n);
    taken.add(candidate);
    result.set(item.id, candidate);
  }
  return result;
}

function withSuffix(base: string, n: number): string {
  const suffix = ` (${n})`;
  let head = base.slice(0, MAX_NAME_LENGTH - suffix.length);
  // Never cut a surrogate pair in half.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return head + suffix;
}

/** Code-point order, independent of the locale: the order of every exported list. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
