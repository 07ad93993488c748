import { ConflictException, Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import {
  TASK_EVENTS_FIELD,
  TASK_EVENTS_STREAM,
  TaskStatus,
  redisKey,
  type JobSpec,
  type TaskEventBatch,
} from '@semaphore/models';
import type { RunnerEntity, TaskEntity } from '@semaphore/persistence';
import { conflict, notFound } from '../../common/api-errors';
import { ApiConfig } from '../../config';
import { SecretCipher } from '../../crypto';
import { REDIS } from '../../redis/redis.module';
import { toWireTime } from '../../wire';
import { EventsService } from '../events/events.service';
import { TaskLifecycleService } from '../task-queue/task-lifecycle.service';
import { buildJobSpec, JobSpecError, type ClaimContext } from './job-spec.builder';
import { TaskClaimRepository } from './task-claim.repository';

/**
 * `POST /api/internal/runners/tasks/{id}/claim`: a runner atomically takes a waiting task and receives its JobSpec,
 * secrets decrypted. The claim comes first (one statement, returning the task), then the spec is built; a task whose
 * keys do not decrypt is failed under its claim instead of being handed out. The spec travels only in this response:
 * it is never logged, stored or put into Redis.
 */
@Injectable()
export class TaskClaimService {
  constructor(
    private readonly repo: TaskClaimRepository,
    private readonly cipher: SecretCipher,
    private readonly config: ApiConfig,
    private readonly events: EventsService,
    private readonly lifecycle: TaskLifecycleService,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('TaskClaim');
  }

  async claim(taskId: number, runner: RunnerEntity): Promise<JobSpec> {
    const task = await this.repo.claim(taskId, runner);
    if (!task) return this.refuse(taskId, runner);
    let prepared: { ctx: ClaimContext; spec: JobSpec };
    try {
      prepared = await this.prepare(task);
    } catch (err) {
      // Not the task's fault (e.g. the database went away): give it back, the runner retries the job.
      if (!(err instanceof ConflictException)) await this.repo.unclaim(task).catch(() => undefined);
      throw err;
    }
    const { ctx, spec } = prepared;
    this.logger.info({ event: 'task.claimed', taskId, runnerId: runner.id, gen: task.claimGeneration }, 'task claimed');
    await this.afterClaim(ctx, runner);
    return { ...spec, claimGeneration: task.claimGeneration, firstSeq: task.lastSeq + 1 };
  }

  /** The context and spec of a claimed task; a task that cannot be run is failed (409). */
  private async prepare(task: TaskEntity): Promise<{ ctx: ClaimContext; spec: JobSpec }> {
    const ctx = await this.repo.loadContext(task);
    if (!ctx) {
      await this.fail(task, 'INVALID_TASK', 'the template or its repository is gone');
      throw conflict('Task cannot be run: the template or its repository is gone');
    }
    try {
      return {
        ctx,
        spec: buildJobSpec(ctx, { claimGeneration: 0, lastSeq: 0 }, this.cipher, this.config.http.webRoot),
      };
    } catch (err) {
      if (!(err instanceof JobSpecError)) throw err;
      await this.fail(task, err.code, err.message);
      throw conflict(`Task cannot be run: ${err.message}`);
    }
  }

  /** The claim did not happen: 404 for a task that does not exist, else 409 saying why. */
  private async refuse(taskId: number, runner: RunnerEntity): Promise<never> {
    const task = await this.repo.findTask(taskId);
    if (!task) throw notFound('Task');
    this.refuseUnclaimable(task, runner);
    throw conflict(`Task is not waiting (status ${task.status})`);
  }

  /** Why the atomic UPDATE did not take the task, for the runner's log. */
  private refuseUnclaimable(task: TaskEntity, runner: RunnerEntity): void {
    if (task.status !== TaskStatus.Waiting) throw conflict(`Task is not waiting (status ${task.status})`);
    if (task.runnerTag && !runner.tags.includes(task.runnerTag)) {
      throw conflict(`Task needs a runner with tag ${task.runnerTag}`);
    }
    if (runner.projectId !== null && runner.projectId !== task.projectId) {
      throw conflict('Task belongs to a project this runner does not serve');
    }
  }

  /** Upstream's "is running" event, the `update` for WebSocket clients, and the runner's last_seen (when stale). */
  private async afterClaim(ctx: ClaimContext, runner: RunnerEntity): Promise<void> {
    const { task, template } = ctx;
    await Promise.all([
      this.events.log({
        projectId: task.projectId,
        userId: task.userId,
        objectType: 'task',
        objectId: task.id,
        description: `Task ID ${task.id} (${template.name}) is running`,
      }),
      lastSeenIsStale(runner) ? this.repo.touchRunner(runner.id) : null,
      this.publishUpdate(task, TaskStatus.Starting, null),
    ]);
  }

  /** Fails a claimed task that cannot be prepared, if nothing else changed it meanwhile. */
  private async fail(task: TaskEntity, errorCode: string, reason: string): Promise<void> {
    const failed = await this.repo.failClaimed(task, errorCode, `Running app failed: ${reason}`);
    if (!failed) return;
    this.logger.warn({ event: 'task.unclaimable', taskId: task.id, errorCode, reason }, 'task cannot be run');
    await this.publishUpdate(failed, TaskStatus.Error, failed.end);
    try {
      await this.lifecycle.onTaskFinished(failed);
    } catch (err) {
      this.logger.error({ err, taskId: task.id }, 'releasing the slot of a failed task failed');
    }
  }

  private async publishUpdate(task: TaskEntity, status: TaskStatus, end: Date | null): Promise<void> {
    const batch: TaskEventBatch = {
      source: 'api',
      taskId: task.id,
      projectId: task.projectId,
      templateId: task.templateId,
      runnerId: 0,
      gen: 0,
      events: [{ type: 'update', status, start: toWireTime(task.start), end: toWireTime(end), version: task.version }],
    };
    try {
      await this.redis.xadd(
        redisKey(this.config.redis.prefix, TASK_EVENTS_STREAM),
        '*',
        TASK_EVENTS_FIELD,
        JSON.stringify(batch),
      );
    } catch (err) {
      // The status is in PostgreSQL; clients see it on their next fetch.
      this.logger.warn({ err, taskId: task.id }, 'task update not sent to the event stream');
    }
  }
}

/**
 * The runner's stored `last_seen` (shown while it is offline; online runners show their Redis heartbeat) is
 * refreshed by a claim at most this often, so that a busy runner does not cost a row update per task.
 */
const LAST_SEEN_REFRESH_MS = 60_000;

export function lastSeenIsStale(runner: Pick<RunnerEntity, 'lastSeen'>, now = Date.now()): boolean {
  return runner.lastSeen === null || now - runner.lastSeen.getTime() >= LAST_SEEN_REFRESH_MS;
}
