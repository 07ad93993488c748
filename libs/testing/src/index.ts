export { createTestDatabase, createEmptyDatabase } from './test-database';
export type { TestDatabase } from './test-database';
export { testServerConnection } from './pg-admin';
export { ensureTemplateDatabase, templateDatabaseName } from './template-database';
