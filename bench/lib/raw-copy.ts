import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DatabaseConnectionConfig } from '@semaphore/persistence';
import { wallMs } from './report';

/**
 * The raw baseline of the log path: ONE `COPY ... FROM STDIN` of `lines` rows (task_id, seq, time, output = the line
 * number) into a table equivalent to task__output (same columns, defaults, primary key, unique (task_id, seq) index
 * and the foreign key to task), in one transaction. Returns rows per second (the COMMIT included).
 */
export async function rawCopyRowsPerSecond(
  db: DatabaseConnectionConfig,
  taskId: number,
  lines: number,
): Promise<number> {
  const client = new Client({
    host: db.host,
    port: db.port,
    user: db.username,
    password: db.password,
    database: db.database,
  });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS bench_copy');
    await client.query('CREATE TABLE bench_copy (LIKE task__output INCLUDING ALL)');
    await client.query('ALTER TABLE bench_copy ADD FOREIGN KEY (task_id) REFERENCES task(id) ON DELETE CASCADE');
    const time = new Date().toISOString();
    const rows = async function* () {
      const chunk = 10_000;
      for (let first = 1; first <= lines; first += chunk) {
        let text = '';
        for (let seq = first; seq < first + chunk && seq <= lines; seq++)
          text += `${taskId}\t${seq}\t${time}\t${seq}\n`;
        yield text;
      }
    };
    const start = wallMs();
    await client.query('BEGIN');
    await pipeline(
      Readable.from(rows()),
      client.query(copyFrom('COPY bench_copy (task_id, seq, time, output) FROM STDIN')),
    );
    await client.query('COMMIT');
    const seconds = (wallMs() - start) / 1000;
    const count = await client.query<{ n: string }>('SELECT count(*) AS n FROM bench_copy');
    if (Number(count.rows[0].n) !== lines) throw new Error(`raw COPY stored ${count.rows[0].n} of ${lines} rows`);
    await client.query('DROP TABLE bench_copy');
    return lines / seconds;
  } finally {
    await client.end();
  }
}
