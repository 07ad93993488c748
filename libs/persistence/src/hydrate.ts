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
  return hydrate(em, target, raw, false);
}

/**
 * The same from a row turned into JSON in SQL (`to_jsonb(t)`, to fetch a joined row as one column): timestamps
 * arrive as ISO strings and become Dates.
 */
export function hydrateJsonRow<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  json: Record<string, unknown>,
): T {
  return hydrate(em, target, json, true);
}

const TIMESTAMP_TYPES = new Set([
  'timestamptz',
  'timestamp',
  'timestamp with time zone',
  'timestamp without time zone',
]);

function hydrate<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  raw: Record<string, unknown>,
  fromJson: boolean,
): T {
  const meta = em.connection.getMetadata(target);
  const entity = meta.create() as T;
  for (const column of meta.columns) {
    if (column.isVirtual || !(column.databaseName in raw)) continue;
    let value = raw[column.databaseName];
    if (fromJson && typeof value === 'string' && (column.type === Date || TIMESTAMP_TYPES.has(String(column.type)))) {
      value = new Date(value);
    }
    column.setEntityValue(entity, em.connection.driver.prepareHydratedValue(value, column));
  }
  return entity;
}

/** The first row of a hand-written query (on a hot path, where building it with TypeORM costs more than running it). */
export async function queryOneAs<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  sql: string,
  params: unknown[],
): Promise<T | null> {
  const rows = (await em.query(sql, params)) as Array<Record<string, unknown>>;
  return rows.length ? hydrateRow(em, target, rows[0]) : null;
}
