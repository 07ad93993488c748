import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * An entity from a raw row (`RETURNING *` of a statement TypeORM did not build, or did not map): every stored column
 * through the driver's own conversion (dates, json), as a `find` would have returned it. Relations stay unloaded.
 */
export function hydrateRow<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  raw: Record<string, unknown>,
): T {
  const meta = em.connection.getMetadata(target);
  const entity = meta.create() as T;
  for (const column of meta.columns) {
    if (column.isVirtual || !(column.databaseName in raw)) continue;
    column.setEntityValue(entity, em.connection.driver.prepareHydratedValue(raw[column.databaseName], column));
  }
  return entity;
}
