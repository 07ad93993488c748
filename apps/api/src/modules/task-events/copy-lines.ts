import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import type { OutputLine } from './task-event-apply';

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value in COPY's text format: backslash, newline, carriage return and tab escaped (NULs never get here). */
export function copyText(value: string): string {
  return value.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]);
}

/** The rows of `lines` in COPY's text format (task_id, seq, time, output), in chunks of about `chunkChars`. */
export function* copyRows(lines: OutputLine[], chunkChars = 64 * 1024): Generator<string> {
  let chunk = '';
  for (const l of lines) {
    chunk += `${l.taskId}\t${l.seq}\t${l.time.toISOString()}\t${copyText(l.output)}\n`;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * `COPY task__output FROM STDIN` of `lines` on the connection of `em` (a transaction's manager), the fastest way
 * into PostgreSQL. Like a plain INSERT it fails on a line that exists already (unique violation, 23505). Returns
 * false, having done nothing, when `em` holds no connection of its own.
 */
export async function copyLines(em: EntityManager, lines: OutputLine[]): Promise<boolean> {
  const client = (em.queryRunner as unknown as { databaseConnection?: PoolClient } | undefined)?.databaseConnection;
  if (!client) return false;
  if (lines.length === 0) return true;
  await pipeline(
    Readable.from(copyRows(lines)),
    client.query(copyFrom('COPY task__output (task_id, seq, time, output) FROM STDIN')),
  );
  return true;
}
