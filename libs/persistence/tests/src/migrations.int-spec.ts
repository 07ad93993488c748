import { createEmptyDatabase, createTestDatabase } from '@semaphore/testing';
import { createDataSource, MIGRATIONS, runMigrations, schemaDiff } from '@semaphore/persistence';

describe('migrations', () => {
  it('apply on an empty database and leave nothing for the generator', async () => {
    const db = await createEmptyDatabase();
    const ds = createDataSource(db.connection);
    try {
      await ds.initialize();
      const applied = await runMigrations(ds);
      expect(applied).toEqual(MIGRATIONS.map((m) => new m().name ?? m.name));
      const diff = await schemaDiff(ds);
      expect(diff.up).toEqual([]);
      // A second run applies nothing.
      expect(await runMigrations(ds)).toEqual([]);
    } finally {
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
    }
  });

  it('revert cleanly, down to an empty schema', async () => {
    const db = await createTestDatabase();
    try {
      for (let i = 0; i < MIGRATIONS.length; i++) await db.dataSource.undoLastMigration({ transaction: 'each' });
      const tables = await db.dataSource.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
      );
      expect(tables).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
