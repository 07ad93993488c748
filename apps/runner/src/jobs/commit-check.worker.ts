import { Injectable } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { COMMIT_CHECKS_QUEUE, bullPrefix, type CommitCheckJobData } from '@semaphore/models';
import { closeRedis, createRedisClient } from '@semaphore/redis';
import { checkRemoteCommit, JobPrepareError, UnsafeArgumentError } from '@semaphore/task-engine';
import { ApiRequestError, RunnerApiClient } from '../api/runner-api.client';
import { RunnerConfig } from '../config';

const CONCURRENCY = 2;

export function parseCommitCheckJob(data: unknown): CommitCheckJobData | null {
  if (typeof data !== 'object' || data === null) return null;
  const { scheduleId, fireTime } = data as Record<string, unknown>;
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  return ok(scheduleId) && scheduleId > 0 && ok(fireTime) ? { scheduleId, fireTime } : null;
}

/**
 * Answers the commit checks of "run on a new commit" schedules: git runs here, never in the api. Each job fetches the
 * repository (key decrypted) from the api, looks the branch head up with `git ls-remote` in a private scratch
 * directory, and reports the hash (or the reason it could not). A failure to reach the api fails the job, so BullMQ
 * retries it; a git failure is reported and ends it.
 */
@Injectable()
export class CommitCheckWorker {
  private worker: Worker | null = null;
  private connection: Redis | null = null;

  constructor(
    private readonly config: RunnerConfig,
    private readonly api: RunnerApiClient,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('CommitChecks');
  }

  start(): void {
    this.connection = createRedisClient({
      url: this.config.redis.url,
      connectionName: `runner:${this.config.instanceId}:${COMMIT_CHECKS_QUEUE}`,
      commandTimeoutMs: this.config.redis.commandTimeoutMs,
      blocking: true,
    });
    this.worker = new Worker(COMMIT_CHECKS_QUEUE, (job) => this.process(job), {
      connection: this.connection,
      prefix: bullPrefix(this.config.redis.prefix),
      concurrency: CONCURRENCY,
    });
    this.worker.on('error', (err) => this.logger.warn({ err: err.message }, 'commit check worker error'));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    if (this.connection) await closeRedis(this.connection);
    this.worker = null;
    this.connection = null;
  }

  async process(job: Job): Promise<void> {
    const data = parseCommitCheckJob(job.data);
    if (!data) {
      this.logger.warn({ jobId: job.id }, 'commit check without valid ids: dropped');
      return;
    }
    let spec;
    try {
      spec = await this.api.commitCheck(data.scheduleId);
    } catch (err) {
      if (err instanceof ApiRequestError && err.status >= 400 && err.status < 500) {
        this.logger.info({ scheduleId: data.scheduleId, reason: err.error }, 'commit check not possible: dropped');
        return;
      }
      throw err;
    }
    let report;
    try {
      const hash = await checkRemoteCommit(spec.repository, this.config.tmpPath, data.scheduleId);
      report = { fire_time: data.fireTime, commit_hash: hash };
    } catch (err) {
      if (!(err instanceof JobPrepareError || err instanceof UnsafeArgumentError)) throw err;
      report = { fire_time: data.fireTime, error: err.message };
    }
    const result = await this.api.reportCommit(data.scheduleId, report);
    this.logger.info(
      { scheduleId: data.scheduleId, fired: result.fired, taskId: result.task_id },
      'commit check reported',
    );
  }
}
