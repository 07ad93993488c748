export * from './entities';
export { ENTITIES } from './entity-list';
export { MIGRATIONS } from './migrations';
export { createDataSource, createDataSourceOptions, runMigrations } from './data-source';
export type { DatabaseConnectionConfig } from './data-source';
export { schemaDiff } from './schema-diff';
export type { SchemaDiff } from './schema-diff';
export { hydrateJsonRow, hydrateRow, queryOneAs } from './hydrate';
