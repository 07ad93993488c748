import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createDataSource, type DatabaseConnectionConfig } from '@semaphore/persistence';
import { quoteIdent, testServerConnection, withAdminClient } from './pg-admin';
import { ensureTemplateDatabase } from './template-database';

export interface TestDatabase {
  /** Connection settings of the fresh database (for processes started by the test). */
  readonly connection: DatabaseConnectionConfig;
  /** An initialized DataSource on it. */
  readonly dataSource: DataSource;
  /** Closes the DataSource and drops the database. */
  drop(): Promise<void>;
}

/** Creates an empty database with no migrations applied (for migration tests). */
export async function createEmptyDatabase(): Promise<{ connection: DatabaseConnectionConfig; drop(): Promise<void> }> {
  const database = `sem_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`));
  return {
    connection: { ...testServerConnection(), database },
    drop: () =>
      withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/**
 * A fresh, migrated database for one test file, cloned from the template database (fast: no migrations run).
 * Call `drop()` in afterAll.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = await ensureTemplateDatabase();
  const database = `sem_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(database)} TEMPLATE ${quoteIdent(template)}`);
        return;
      } catch (err) {
        // Another clone of the same template in progress: PostgreSQL refuses while the template has a session.
        if (attempt >= 50 || !String(err).includes('is being accessed by other users')) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 100));
      }
    }
  });
  const connection: DatabaseConnectionConfig = { ...testServerConnection(), database, poolSize: 4 };
  const dataSource = createDataSource(connection);
  await dataSource.initialize();
  return {
    connection,
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`));
    },
  };
}
