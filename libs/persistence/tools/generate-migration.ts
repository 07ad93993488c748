/**
 * Writes a new migration with the SQL that brings a freshly migrated database in line with the entities.
 * Usage: npm run migration:generate -- <Name>
 * Uses a scratch database on the local PostgreSQL (PGHOST/PGPORT/PGUSER, defaults 127.0.0.1:5432 postgres).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource, runMigrations, schemaDiff } from '../src';

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) throw new Error('give a PascalCase migration name');
  const conn = {
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    username: process.env.PGUSER ?? 'postgres',
    password: process.env.PGPASSWORD ?? '',
  };
  const scratch = `sem_migration_gen_${process.pid}`;
  const admin = new Client({ ...conn, user: conn.username, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${scratch}`);
  const ds = createDataSource({ ...conn, database: scratch });
  try {
    await ds.initialize();
    await runMigrations(ds);
    const diff = await schemaDiff(ds);
    if (diff.up.length === 0) {
      process.stdout.write('entities and migrations agree: nothing to generate\n');
      return;
    }
    const ts = Date.now();
    const cls = `${name}${ts}`;
    const q = (s: string) => '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
    const body = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${cls} implements MigrationInterface {
  name = '${cls}';

  async up(queryRunner: QueryRunner): Promise<void> {
${diff.up.map((s) => `    await queryRunner.query(${q(s)});`).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${diff.down
  .reverse()
  .map((s) => `    await queryRunner.query(${q(s)});`)
  .join('\n')}
  }
}
`;
    const file = join(
      __dirname,
      '../src/migrations',
      `${ts}-${name.replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase())}.ts`,
    );
    writeFileSync(file, body);
    process.stdout.write(`wrote ${file}\nadd ${cls} to MIGRATIONS in libs/persistence/src/migrations/index.ts\n`);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${scratch}`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
