import { createHash } from 'node:crypto';
import { MIGRATIONS, createDataSource, runMigrations } from '@semaphore/persistence';
import { quoteIdent, testServerConnection, withAdminClient } from './pg-admin';

const TEMPLATE_PREFIX = 'sem_test_tpl_';

/**
 * The migrated template database that every test database is cloned from. Its name carries a hash of the
 * migration list, so a new migration makes a new template and stale templates are dropped.
 */
export function templateDatabaseName(): string {
  const hash = createHash('sha256')
    .update(MIGRATIONS.map((m) => m.name).join(','))
    .digest('hex')
    .slice(0, 12);
  return `${TEMPLATE_PREFIX}${hash}`;
}

/** Creates and migrates the template database unless it exists. Safe to call from concurrent processes. */
export async function ensureTemplateDatabase(): Promise<string> {
  const name = templateDatabaseName();
  await withAdminClient(async (client) => {
    // Session-level lock held for the whole build: one creator at a time, across concurrent runs.
    await client.query('SELECT pg_advisory_lock(74657374)');
    try {
      const res = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
        `${TEMPLATE_PREFIX}%`,
      ]);
      const names = res.rows.map((r) => r.datname);
      for (const stale of names.filter((n) => n !== name)) {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(stale)} WITH (FORCE)`);
      }
      if (names.includes(name)) return;
      const building = `${name}_building`;
      await client.query(`CREATE DATABASE ${quoteIdent(building)}`);
      const ds = createDataSource({ ...testServerConnection(), database: building, poolSize: 1 });
      await ds.initialize();
      try {
        await runMigrations(ds);
      } finally {
        await ds.destroy();
      }
      await client.query(`ALTER DATABASE ${quoteIdent(building)} RENAME TO ${quoteIdent(name)}`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(74657374)');
    }
  });
  return name;
}
