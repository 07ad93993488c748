import { createDataSource, runMigrations, type DatabaseConnectionConfig } from '@semaphore/persistence';

/** Advisory lock id that serialises migrations across api replicas starting together. */
const MIGRATION_LOCK_ID = 5_375_723;

/** Applies pending migrations; safe when several processes call it at once. Returns the names applied. */
export async function migrateDatabase(db: DatabaseConnectionConfig): Promise<string[]> {
  const dataSource = createDataSource({ ...db, poolSize: 2 });
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      return await runMigrations(dataSource);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await lock.release();
    await dataSource.destroy();
  }
}
