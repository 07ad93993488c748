import { Inject, Injectable } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import {
  TASK_EVENTS_FIELD,
  TASK_EVENTS_STREAM,
  TaskStatus,
  redisKey,
  taskControlKey,
  type JobSpec,
  type TaskJobData,
} from '@semaphore/models';
import { LocalJob, type JobResult } from '@semaphore/task-engine';
import { ApiRequestError, RunnerApiClient } from '../api/runner-api.client';
import { RunnerConfig } from '../config';
import { RunnerIdentityService } from '../identity/runner-identity.service';
import { RUNNER_REDIS } from '../redis/runner-redis.module';
import { applyControl, controlKeyAction } from '../control/control-messages';
import { RunningTasks, type RunningTask, type StopReason } from './running-tasks';
import { TaskEventWriter } from './task-event-writer';

/** A job is handed back (delayed) for this long when the runner is full or the api cannot be reached. */
const FULL_RETRY_MS = 500;
const API_RETRY_MS = 2_000;

const STOP_LINES: Record<StopReason, string> = {
  stop: 'Stopping the task (requested by a user)',
  'force-stop': 'Stopping the task (force stop requested by a user)',
  shutdown: 'Stopping the task: the runner is shutting down',
};

export function parseJobData(data: unknown): TaskJobData | null {
  if (typeof data !== 'object' || data === null) return null;
  const { taskId, projectId } = data as Record<string, unknown>;
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
  return ok(taskId) && ok(projectId) ? { taskId, projectId } : null;
}

/**
 * Processes one BullMQ job: claims the task from the api (409 -> the job ends, nothing runs), runs it with LocalJob,
 * streams its events, and returns once the terminal status is in the stream. Nothing secret is logged: the JobSpec
 * stays in memory and in the task's 0600 workspace files.
 */
@Injectable()
export class TaskProcessor {
  constructor(
    private readonly config: RunnerConfig,
    @Inject(RUNNER_REDIS) private readonly redis: Redis,
    private readonly api: RunnerApiClient,
    private readonly identity: RunnerIdentityService,
    private readonly running: RunningTasks,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('TaskProcessor');
  }

  async process(job: Job, token: string | undefined): Promise<void> {
    const data = parseJobData(job.data);
    const runnerId = this.identity.identity.id;
    if (!data) {
      this.logger.warn({ jobId: job.id, runnerId }, 'job without valid task ids: dropped');
      return;
    }
    const log = this.logger.logger.child({ taskId: data.taskId, runnerId });
    let writer: TaskEventWriter | null = null;
    const slot = this.running.tryAdd(data.taskId, (reason) => writer?.log(STOP_LINES[reason]));
    if (!slot) return this.handBack(job, token, FULL_RETRY_MS);
    try {
      let spec: JobSpec;
      try {
        spec = await this.api.claim(data.taskId);
      } catch (err) {
        if (err instanceof ApiRequestError && (err.status === 409 || err.error === 'Task not found')) {
          log.info({ event: 'task.not-claimable', reason: err.error }, 'task not claimable: nothing to run');
          return;
        }
        log.warn({ event: 'task.claim-failed', err: String(err) }, 'claim failed: job handed back');
        return await this.handBack(job, token, API_RETRY_MS);
      }
      writer = this.writer(spec, runnerId, log);
      await this.checkDurableControl(slot);
      const result = await this.run(spec, slot, writer, log);
      writer.status(result.status, result.errorCode);
      await writer.flush();
      log.info({ event: 'task.finished', status: result.status, errorCode: result.errorCode }, 'task finished');
    } finally {
      this.running.remove(data.taskId);
    }
  }

  private async run(spec: JobSpec, slot: RunningTask, writer: TaskEventWriter, log: Logger): Promise<JobResult> {
    log.info({ event: 'task.started', gen: spec.claimGeneration, app: spec.app }, 'task started');
    if (slot.stopReason) {
      writer.log(STOP_LINES[slot.stopReason]);
      return { status: TaskStatus.Stopped };
    }
    const job = new LocalJob(spec, {
      tmpRoot: this.config.tmpPath,
      path: this.config.tasks.path,
      events: writer,
      killGraceMs: this.config.tasks.killGraceMs,
      timeoutMs: this.config.tasks.maxDurationMs || undefined,
      confirmation: slot.confirmation,
      artifacts: { upload: (path, file) => this.api.uploadArtifact(spec.taskId, path, file) },
      hostKeys: { record: (line) => this.api.recordHostKey(spec.taskId, line) },
    });
    slot.attach(job);
    try {
      return await job.run();
    } catch (err) {
      log.error({ event: 'task.crashed', err: err instanceof Error ? err.message : String(err) }, 'task crashed');
      writer.log('Running app failed: internal runner error');
      return { status: TaskStatus.Error, errorCode: 'RUNNER_ERROR' };
    }
  }

  private writer(spec: JobSpec, runnerId: number, log: Logger): TaskEventWriter {
    const stream = redisKey(this.config.redis.prefix, TASK_EVENTS_STREAM);
    return new TaskEventWriter(
      {
        taskId: spec.taskId,
        projectId: spec.projectId,
        templateId: spec.templateId,
        runnerId,
        gen: spec.claimGeneration,
      },
      spec.firstSeq,
      async (batch) => {
        await this.redis.xadd(stream, '*', TASK_EVENTS_FIELD, JSON.stringify(batch));
      },
      {
        onDropped: (err, n) =>
          log.error({ event: 'task.events-dropped', events: n, err: String(err) }, 'task events lost'),
      },
    );
  }

  /** A stop (or plan decision) that arrived between the claim and now (before the heartbeat lists this task). */
  private async checkDurableControl(slot: RunningTask): Promise<void> {
    try {
      const value = await this.redis.get(redisKey(this.config.redis.prefix, ...taskControlKey(slot.taskId)));
      const action = controlKeyAction(value);
      if (action) applyControl(slot, action);
    } catch {
      // The heartbeat checks again within seconds.
    }
  }

  /** Puts the job back for later (it is not lost, and another runner may take it). */
  private async handBack(job: Job, token: string | undefined, delayMs: number): Promise<void> {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }
}
