import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { TaskStatus } from '@semaphore/models';
import { ProjectMemberEntity, TaskEntity } from '@semaphore/persistence';
import { copyLines } from './copy-lines';
import type { OutputLine, TaskChangeSet, TaskRow } from './task-event-apply';

/** Rows per INSERT statement (four arrays of this length are bound). */
const INSERT_CHUNK = 5_000;

const TASK_ROW_COLUMNS = `id, project_id AS "projectId", template_id AS "templateId", status, runner_id AS "runnerId",
  claim_generation AS "claimGeneration", last_seq AS "lastSeq", start, "end", version, error_code AS "errorCode",
  commit_hash AS "commitHash", commit_message AS "commitMessage", progress`;

/** A task that the reconciler looks at: claimed by a runner, not finished. */
export interface ClaimedTask extends Omit<TaskRow, 'runnerId'> {
  runnerId: number;
  claimedAt: Date;
  runnerName: string | null;
  runnerLastSeen: Date | null;
}

/** The queries of the event path (persister, reconciler, WebSocket audience). Every value is a bound parameter. */
@Injectable()
export class TaskEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs `work` in one transaction. */
  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Locks and returns the rows of these tasks (in id order, so concurrent lockers never deadlock). */
  async lockTasks(em: EntityManager, ids: number[]): Promise<Map<number, TaskRow>> {
    if (ids.length === 0) return new Map();
    const rows: TaskRow[] = await em.query(
      `SELECT ${TASK_ROW_COLUMNS} FROM task WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Inserts log lines; a line whose (task_id, seq) exists already is skipped (redelivery is harmless). */
  async insertLines(em: EntityManager, lines: OutputLine[]): Promise<void> {
    await insertChunks(em, lines, 'ON CONFLICT (task_id, seq) DO NOTHING');
  }

  /**
   * Inserts log lines that cannot exist yet: the caller holds the lock of each line's task row (lockTasks) and every
   * seq is above that row's `last_seq` and unique. Every writer of task__output raises `last_seq` in the transaction
   * that inserts the line, so no row can have a higher seq: the lines go in with COPY (no conflict check, much faster
   * than INSERT, see `npm run bench`). Should a line exist after all, COPY fails with a unique violation (23505, see
   * isUniqueViolation) and the caller falls back to insertLines. Outside a transaction: plain INSERTs.
   */
  async insertNewLines(em: EntityManager, lines: OutputLine[]): Promise<void> {
    if (!(await copyLines(em, lines))) await insertChunks(em, lines, '');
  }

  /** Writes a change set's row fields; `last_seq` only grows. */
  async updateTask(em: EntityManager, changes: TaskChangeSet): Promise<void> {
    const r = changes.row;
    if (!changes.fieldsChanged) {
      if (changes.maxSeq > 0) {
        await em.query(`UPDATE task SET last_seq = GREATEST(last_seq, $2) WHERE id = $1`, [r.id, changes.maxSeq]);
      }
      return;
    }
    await em.query(
      `UPDATE task SET status = $2, start = $3, "end" = $4, error_code = $5, commit_hash = $6, commit_message = $7,
         last_seq = GREATEST(last_seq, $8), progress = $9::jsonb WHERE id = $1`,
      [
        r.id,
        r.status,
        r.start,
        r.end,
        r.errorCode,
        r.commitHash,
        r.commitMessage,
        changes.maxSeq,
        r.progress === null ? null : JSON.stringify(r.progress),
      ],
    );
  }

  /** Full entities (for TaskLifecycleService). */
  findTasks(ids: number[]): Promise<TaskEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(TaskEntity).findBy({ id: In(ids) });
  }

  /** User ids of the project's members. */
  async projectMemberIds(projectId: number): Promise<number[]> {
    const rows = await this.dataSource
      .getRepository(ProjectMemberEntity)
      .find({ select: { userId: true }, where: { projectId } });
    return rows.map((r) => r.userId);
  }

  /** Project and claim of a task (the live relay's fencing check). */
  async taskClaim(
    id: number,
  ): Promise<Pick<TaskRow, 'projectId' | 'templateId' | 'runnerId' | 'claimGeneration'> | null> {
    const rows: Array<Pick<TaskRow, 'projectId' | 'templateId' | 'runnerId' | 'claimGeneration'>> =
      await this.dataSource.query(
        `SELECT project_id AS "projectId", template_id AS "templateId", runner_id AS "runnerId",
           claim_generation AS "claimGeneration" FROM task WHERE id = $1`,
        [id],
      );
    return rows[0] ?? null;
  }

  /** Unfinished tasks in these statuses claimed by a runner before `claimedBefore`. */
  async claimedTasks(statuses: TaskStatus[], claimedBefore: Date, limit: number): Promise<ClaimedTask[]> {
    return this.dataSource.query(
      `SELECT task.id, task.project_id AS "projectId", task.template_id AS "templateId", task.status,
         task.runner_id AS "runnerId", task.claim_generation AS "claimGeneration", task.last_seq AS "lastSeq",
         task.start, task."end", task.version, task.error_code AS "errorCode", task.commit_hash AS "commitHash",
         task.commit_message AS "commitMessage", task.progress, task.claimed_at AS "claimedAt", runner.name AS "runnerName", runner.last_seen AS "runnerLastSeen"
       FROM task LEFT JOIN runner ON runner.id = task.runner_id
       WHERE task.status = ANY($1::varchar[]) AND task.runner_id IS NOT NULL AND task.claimed_at < $2
       ORDER BY task.id LIMIT $3`,
      [statuses, claimedBefore, limit],
    );
  }

  /**
   * Fails a task whose runner was lost, if it is still in one of `statuses` under the same claim: status `error`,
   * `RUNNER_LOST`, `end` now, and one output line with the next seq. Returns the updated row, or null if the task moved
   * on meanwhile.
   */
  async failLostTask(task: ClaimedTask, statuses: TaskStatus[], line: string, now: Date): Promise<TaskRow | null> {
    return this.transaction(async (em) => {
      const row = (await this.lockTasks(em, [task.id])).get(task.id);
      if (!row || !statuses.includes(row.status)) return null;
      if (row.runnerId !== task.runnerId || row.claimGeneration !== task.claimGeneration) return null;
      const seq = row.lastSeq + 1;
      await em.query(
        `INSERT INTO task__output (task_id, seq, time, output) VALUES ($1, $2, $3, $4)
         ON CONFLICT (task_id, seq) DO NOTHING`,
        [row.id, seq, now, line],
      );
      const updated: TaskRow[] = await em.query(
        `UPDATE task SET status = 'error', error_code = 'RUNNER_LOST', "end" = $2, last_seq = GREATEST(last_seq, $3)
         WHERE id = $1 RETURNING ${TASK_ROW_COLUMNS}`,
        [row.id, now, seq],
      );
      return firstRow(updated);
    });
  }
}

/**
 * Inserts `lines` in statements of INSERT_CHUNK rows, bound as four array literals built here in one pass (cheaper than
 * the driver's per-element array encoding); times travel as epoch milliseconds (exact: to_timestamp rounds to the
 * microsecond) because PostgreSQL converts numbers much faster than timestamp text.
 */
async function insertChunks(em: EntityManager, lines: OutputLine[], onConflict: string): Promise<void> {
  for (let i = 0; i < lines.length; i += INSERT_CHUNK) {
    const chunk = lines.slice(i, i + INSERT_CHUNK);
    await em.query(
      `INSERT INTO task__output (task_id, seq, time, output)
       SELECT task_id, seq, to_timestamp(ms / 1000), output
       FROM unnest($1::int[], $2::int[], $3::float8[], $4::text[]) AS line(task_id, seq, ms, output) ${onConflict}`,
      [
        arrayLiteral(chunk, (l) => String(l.taskId)),
        arrayLiteral(chunk, (l) => String(l.seq)),
        arrayLiteral(chunk, (l) => String(l.time.getTime())),
        arrayLiteral(chunk, (l) => quoteElement(l.output)),
      ],
    );
  }
}

/** A PostgreSQL array literal (`{a,b}`) of already encoded elements. */
function arrayLiteral(lines: OutputLine[], element: (l: OutputLine) => string): string {
  let text = '{';
  for (let i = 0; i < lines.length; i++) text += (i === 0 ? '' : ',') + element(lines[i]);
  return `${text}}`;
}

/** One text element of an array literal: double-quoted, with `"` and `\` escaped (text never holds NUL here). */
function quoteElement(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

/** A unique violation (e.g. insertNewLines meeting a line that exists after all). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { driverError?: { code?: unknown }; code?: unknown };
  return (e.driverError?.code ?? e.code) === '23505';
}

/** `UPDATE ... RETURNING` through TypeORM's query() yields `[rows, count]`. */
function firstRow(result: unknown): TaskRow | null {
  const rows = Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as TaskRow[]) : (result as TaskRow[]);
  return rows[0] ?? null;
}
