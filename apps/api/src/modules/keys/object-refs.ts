import { QueryFailedError } from 'typeorm';

/** An object that refers to another one, as `/refs` lists it. */
export interface RefItem {
  id: number;
  name: string;
}

/**
 * `GET P/{keys,repositories,inventory,environment}/{id}/refs` (reference §1.4 Refs). `schedules` is not sent by
 * upstream, but its UI reads `refs.schedules.length`, so it is always present.
 */
export interface ObjectRefs {
  templates: RefItem[];
  inventories: RefItem[];
  repositories: RefItem[];
  schedules: RefItem[];
}

export function isReferenced(refs: ObjectRefs): boolean {
  return refs.templates.length + refs.inventories.length + refs.repositories.length + refs.schedules.length > 0;
}

/** Unique by id, sorted by name then id (several paths can lead to the same template). */
export function uniqueRefs(items: readonly RefItem[]): RefItem[] {
  const byId = new Map<number, RefItem>();
  for (const item of items) byId.set(item.id, { id: item.id, name: item.name });
  return [...byId.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id));
}

/** A delete refused by a foreign key (PostgreSQL 23503): something started to refer to the row meanwhile. */
export function isForeignKeyViolation(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const code: unknown = (err.driverError as { code?: unknown } | undefined)?.code;
  return code === '23503';
}
