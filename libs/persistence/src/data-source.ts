import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entity-list';
import { MIGRATIONS } from './migrations';

export interface DatabaseConnectionConfig {
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
  /** Connection pool size. */
  poolSize?: number;
  /** Milliseconds a statement may run before PostgreSQL cancels it. */
  statementTimeoutMs?: number;
}

/**
 * The one DataSource definition used by the api, the CLI and the tests.
 * `synchronize` is never on: the schema comes from the migrations listed in MIGRATIONS.
 */
export function createDataSourceOptions(db: DatabaseConnectionConfig): DataSourceOptions {
  return {
    type: 'postgres',
    host: db.host,
    port: db.port,
    username: db.username,
    password: db.password,
    database: db.database,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    extra: {
      max: db.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      statement_timeout: db.statementTimeoutMs ?? 30_000,
      application_name: 'semaphore-ts',
    },
  };
}

export function createDataSource(db: DatabaseConnectionConfig): DataSource {
  return new DataSource(createDataSourceOptions(db));
}

/** Applies every pending migration; returns the names of those applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
