import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  TASK_EVENTS_PERSIST_GROUP,
  TaskStatus,
  isFinishedStatus,
  redisKey,
  type TaskEventBatch,
} from '@semaphore/models';
import type { TaskEntity } from '@semaphore/persistence';
import {
  applyRunnerBatch,
  fencingViolation,
  newChangeSet,
  type OutputLine,
  type TaskChangeSet,
  type TaskRow,
} from './task-event-apply';
import { parseEntries, taskEventsStreamKey, type RawStreamEntry, type StreamEntry } from './task-event-batch';
import type { TaskEventPublisher } from './task-event-publisher';
import { isUniqueViolation, type TaskEventsRepository } from './task-events.repository';
import {
  autoClaim,
  ensureGroup,
  removeIdleConsumers,
  trimBehindGroup,
  type StreamGroupRef,
} from './stream-group-maintenance';
import { RedisLease } from './redis-lease';
import { StoppableLoop } from './stoppable-loop';

export interface TaskFinishedListener {
  /** The task's row is read again there: only its id counts. */
  onTaskFinished(task: Pick<TaskEntity, 'id'>): Promise<void>;
  /** After a commit that moved the task to `waiting_confirmation` (again on a redelivered entry). */
  onTaskWaitingConfirmation?(taskId: number): Promise<void>;
}

export interface PersisterOptions {
  prefix: string;
  /** This replica's consumer name (config.nodeId). */
  consumer: string;
  batchSize?: number;
  blockMs?: number;
  /** Pending entries idle for longer are taken over from their (dead) consumer. */
  claimIdleMs?: number;
  maintenanceEveryMs?: number;
  maxBackoffMs?: number;
  /** History kept in the stream for live readers running behind. */
  keepMs?: number;
  /** The persist lease lapses after this long without renewal (a renewal happens on every read). */
  leaseMs?: number;
}

/** What one persisted read changed, for the work done after COMMIT. */
interface RunnerEntry {
  id: string;
  batch: TaskEventBatch;
}

interface PersistOutcome {
  statusChanged: TaskRow[];
}

const NOTHING: PersistOutcome = { statusChanged: [] };

/** PostgreSQL data exceptions (22xxx) and integrity violations (23xxx): retrying the same entry cannot help. */
function isDataError(err: unknown): boolean {
  const code =
    (err as { driverError?: { code?: unknown }; code?: unknown }).driverError?.code ?? (err as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/**
 * The persist consumer group: reads task event batches, writes `runner` batches to PostgreSQL in ONE transaction per
 * read (fenced by runner id and claim generation, idempotent on (task_id, seq), statuses through the transition
 * guard), and acknowledges only after COMMIT. Then it announces status changes (`api` update batches) and reports
 * tasks now waiting for confirmation and finished tasks to the TaskLifecycleService. If PostgreSQL fails, nothing is acknowledged and the read is retried
 * with backoff (this consumer re-reads its own pending entries first).
 *
 * Every replica is a consumer of the group (named by its node id), but only the holder of a Redis lease reads at a
 * time: with several consumers reading at once, two successive batches of one task could commit in the wrong order
 * (e.g. `running` after `waiting_confirmation`), since nothing in a row tells which stream entry it saw last. One
 * reader keeps every task's events in stream order; batching (500 entries per transaction) keeps it fast, and the
 * next replica takes over (with the pending entries) within `leaseMs` when the holder dies.
 */
export class TaskEventPersister {
  private readonly logger = new Logger(TaskEventPersister.name);
  private readonly key: string;
  private readonly ref: StreamGroupRef;
  private readonly loop: StoppableLoop;
  private readonly opts: Required<PersisterOptions>;
  private readonly lease: RedisLease;
  private readPending = true;
  private groupReady = false;
  private leader = false;
  private nextMaintenance = 0;

  constructor(
    private readonly redis: Redis,
    private readonly blocking: Redis,
    private readonly repo: TaskEventsRepository,
    private readonly publisher: TaskEventPublisher,
    private readonly lifecycle: TaskFinishedListener,
    options: PersisterOptions,
  ) {
    this.opts = {
      batchSize: 500,
      blockMs: 1_000,
      claimIdleMs: 30_000,
      maintenanceEveryMs: 10_000,
      maxBackoffMs: 10_000,
      keepMs: 60_000,
      leaseMs: 6_000,
      ...options,
    };
    this.key = taskEventsStreamKey(options.prefix);
    this.ref = { redis, key: this.key, group: TASK_EVENTS_PERSIST_GROUP, consumer: options.consumer };
    this.loop = new StoppableLoop('task event persister', this.logger, this.opts.maxBackoffMs);
    this.lease = new RedisLease(
      redis,
      redisKey(options.prefix, 'task-events', 'persist-leader'),
      options.consumer,
      this.opts.leaseMs,
    );
  }

  /** Starts consuming in the background (creating the group first; Redis may still be unreachable). */
  start(): void {
    this.loop.run(() => this.runOnce());
  }

  async stop(): Promise<void> {
    await this.loop.stop(() => this.blocking.disconnect());
    if (this.leader) await this.lease.release().catch(() => undefined);
  }

  /** One iteration of the loop (tests drive the persister with it instead of start()). */
  async runOnce(): Promise<void> {
    try {
      await this.step();
    } catch (err) {
      this.readPending = true;
      throw err;
    }
  }

  /**
   * One iteration: hold the persist lease (or wait for it), maintenance when due (at once when the lease was just
   * taken over: the previous holder's pending entries come first), then one read (own pending entries first).
   */
  private async step(): Promise<void> {
    if (!(await this.lease.hold())) {
      this.leader = false;
      await this.loop.sleep(this.opts.blockMs);
      return;
    }
    let claimIdleMs = this.opts.claimIdleMs;
    if (!this.leader) {
      this.leader = true;
      this.nextMaintenance = 0;
      claimIdleMs = 0; // whoever held the lease before has not renewed it for leaseMs: it is gone
    }
    if (!this.groupReady) {
      await ensureGroup(this.ref);
      this.groupReady = true;
    }
    if (Date.now() >= this.nextMaintenance) {
      await this.maintain(claimIdleMs);
      this.nextMaintenance = Date.now() + this.opts.maintenanceEveryMs;
    }
    const entries = await this.read(this.readPending ? '0' : '>');
    if (this.readPending && entries.length === 0) {
      this.readPending = false;
      return;
    }
    if (entries.length > 0) await this.handleEntries(parseEntries(entries));
  }

  private async read(from: '0' | '>'): Promise<RawStreamEntry[]> {
    const { batchSize, blockMs } = this.opts;
    let reply: unknown;
    try {
      reply = await this.blocking.xreadgroup(
        'GROUP',
        this.ref.group,
        this.ref.consumer,
        'COUNT',
        batchSize,
        'BLOCK',
        blockMs,
        'STREAMS',
        this.key,
        from,
      );
    } catch (err) {
      // The stream (and its group) was deleted: create both again.
      if (String(err).includes('NOGROUP')) this.groupReady = false;
      throw err;
    }
    const streams = reply as Array<[string, RawStreamEntry[]]> | null;
    return streams?.[0]?.[1] ?? [];
  }

  /** Takes over entries of dead consumers, trims the stream and forgets consumers that are long gone. */
  async maintain(claimIdleMs = this.opts.claimIdleMs): Promise<void> {
    let start = '0-0';
    for (let round = 0; round < 20; round++) {
      const claimed = await autoClaim(this.ref, claimIdleMs, start, this.opts.batchSize);
      if (claimed.entries.length > 0) {
        this.logger.warn(`took over ${claimed.entries.length} pending task event entries of another consumer`);
        await this.handleEntries(parseEntries(claimed.entries));
      }
      start = claimed.next;
      if (start === '0-0') break;
    }
    await trimBehindGroup(this.ref, this.opts.keepMs);
    const removed = await removeIdleConsumers(this.ref, 3_600_000);
    if (removed.length > 0) this.logger.log(`removed idle task event consumers ${removed.join(', ')}`);
  }

  /** Persists the entries of one read, acknowledges them, then runs the after-commit work. */
  async handleEntries(entries: StreamEntry[]): Promise<void> {
    for (const e of entries) {
      if (!e.batch) this.logger.warn(`dropping task event entry ${e.id}: ${e.invalid ?? 'invalid'}`);
    }
    const runner: RunnerEntry[] = [];
    for (const { id, batch } of entries) if (batch?.source === 'runner') runner.push({ id, batch });
    let outcome = NOTHING;
    try {
      outcome = runner.length > 0 ? await this.persistChecked(runner) : NOTHING;
    } catch (err) {
      if (!isDataError(err)) throw err;
      outcome = await this.persistOneByOne(runner);
    }
    await this.redis.xack(this.key, this.ref.group, ...entries.map((e) => e.id));
    await this.afterCommit(outcome);
  }

  /** After a data error: each entry alone; an entry that fails with a data error again is dropped (logged). */
  private async persistOneByOne(entries: RunnerEntry[]): Promise<PersistOutcome> {
    const statusChanged: TaskRow[] = [];
    for (const entry of entries) {
      try {
        statusChanged.push(...(await this.persistChecked([entry])).statusChanged);
      } catch (err) {
        if (!isDataError(err)) throw err;
        this.logger.error(`dropping task event entry ${entry.id} of task ${entry.batch.taskId}: ${String(err)}`);
      }
    }
    return { statusChanged };
  }

  /**
   * persist() with new lines inserted without a conflict check; should one exist after all (a unique violation), the
   * whole read is persisted again with every line checked.
   */
  private async persistChecked(entries: RunnerEntry[]): Promise<PersistOutcome> {
    try {
      return await this.persist(entries, false);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      this.logger.warn(
        `a task event line was stored already above its task's last_seq; persisting again: ${String(err)}`,
      );
      return this.persist(entries, true);
    }
  }

  /** ONE transaction: lock the tasks, fence, insert the lines, update the rows. */
  private async persist(entries: RunnerEntry[], checkEveryLine: boolean): Promise<PersistOutcome> {
    const now = new Date();
    const dropped: string[] = [];
    const sets = await this.repo.transaction(async (em) => {
      const ids = [...new Set(entries.map((e) => e.batch.taskId))].sort((a, b) => a - b);
      const rows = await this.repo.lockTasks(em, ids);
      const changes = new Map<number, TaskChangeSet>();
      for (const { id, batch: b } of entries) {
        const row = rows.get(b.taskId);
        const violation = fencingViolation(row, b);
        if (violation || !row) {
          dropped.push(`entry ${id} of task ${b.taskId} (runner ${b.runnerId} gen ${b.gen}): ${violation}`);
          continue;
        }
        const set = changes.get(b.taskId) ?? newChangeSet(row);
        changes.set(b.taskId, set);
        applyRunnerBatch(set, b, now);
      }
      const { fresh, seen } = splitLines(changes, rows, checkEveryLine);
      await this.repo.insertNewLines(em, fresh);
      await this.repo.insertLines(em, seen);
      for (const set of changes.values()) await this.repo.updateTask(em, set);
      return [...changes.values()];
    });
    for (const d of dropped) this.logger.warn(`dropped fenced task event batch: ${d}`);
    return { statusChanged: sets.filter((s) => s.statusChanged).map((s) => s.row) };
  }

  /** Announces status changes and reports finished tasks. Failures are logged: the data is committed already. */
  private async afterCommit(outcome: PersistOutcome): Promise<void> {
    for (const row of outcome.statusChanged) {
      try {
        await this.publisher.publishUpdate(row);
      } catch (err) {
        this.logger.error(`cannot announce the status of task ${row.id}: ${String(err)}`);
      }
    }
    for (const row of outcome.statusChanged) {
      if (row.status !== TaskStatus.WaitingConfirmation || !this.lifecycle.onTaskWaitingConfirmation) continue;
      await this.lifecycle.onTaskWaitingConfirmation(row.id).catch((err: unknown) => {
        this.logger.error(`onTaskWaitingConfirmation(${row.id}) failed: ${String(err)}`);
      });
    }
    for (const row of outcome.statusChanged) {
      if (isFinishedStatus(row.status)) await notifyFinished(this.lifecycle, row, this.logger);
    }
  }
}

/**
 * Splits the lines of one read: `fresh` ones have a seq above their (locked) task's last_seq and above every earlier
 * line of the task in this read, so they cannot be stored yet; the others (a redelivered entry, a batch appended
 * twice) are `seen` and inserted with the conflict check. With `checkEveryLine`, every line is `seen`.
 */
function splitLines(
  changes: Map<number, TaskChangeSet>,
  rows: Map<number, TaskRow>,
  checkEveryLine: boolean,
): { fresh: OutputLine[]; seen: OutputLine[] } {
  const fresh: OutputLine[] = [];
  const seen: OutputLine[] = [];
  for (const [taskId, set] of changes) {
    if (checkEveryLine) {
      seen.push(...set.lines);
      continue;
    }
    let highest = rows.get(taskId)?.lastSeq ?? Number.MAX_SAFE_INTEGER;
    for (const line of set.lines) {
      if (line.seq > highest) {
        fresh.push(line);
        highest = line.seq;
      } else {
        seen.push(line);
      }
    }
  }
  return { fresh, seen };
}

/** Calls onTaskFinished, logging (not throwing) a failure. */
export async function notifyFinished(
  lifecycle: TaskFinishedListener,
  task: Pick<TaskEntity, 'id'>,
  logger: Logger,
): Promise<void> {
  try {
    await lifecycle.onTaskFinished(task);
  } catch (err) {
    logger.error(`TaskLifecycleService.onTaskFinished(${task.id}) failed: ${String(err)}`);
  }
}
