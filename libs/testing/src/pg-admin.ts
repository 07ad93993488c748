import { Client } from 'pg';
import type { DatabaseConnectionConfig } from '@semaphore/persistence';

/** Connection to the test PostgreSQL server (PGHOST/PGPORT/PGUSER/PGPASSWORD, default 127.0.0.1:5432 as postgres). */
export function testServerConnection(): Omit<DatabaseConnectionConfig, 'database'> {
  return {
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    username: process.env.PGUSER ?? 'postgres',
    password: process.env.PGPASSWORD ?? '',
  };
}

/** Runs `fn` with a client connected to the maintenance database `postgres`. */
export async function withAdminClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const conn = testServerConnection();
  const client = new Client({ ...conn, user: conn.username, database: 'postgres' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  return `"${name}"`;
}
