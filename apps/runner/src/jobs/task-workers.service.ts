import { Injectable } from '@nestjs/common';
import { Worker } from 'bullmq';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { bullPrefix, taskQueueName } from '@semaphore/models';
import { closeRedis, createRedisClient } from '@semaphore/redis';
import { RunnerConfig } from '../config';
import { TaskProcessor } from './task-processor';

/**
 * The queues a runner consumes: an untagged runner takes `tasks`; a tagged runner takes `tasks-<tag>` for each of its
 * tags and also `tasks`, unless SEMAPHORE_RUNNER_TAGGED_ONLY is set.
 */
export function queuesFor(tags: readonly string[], taggedOnly: boolean): string[] {
  const tagged = tags.map((t) => taskQueueName(t));
  return tags.length && taggedOnly ? tagged : [...tagged, taskQueueName(null)];
}

/** One BullMQ Worker per queue, each on its own blocking connection, concurrency = max parallel tasks. */
@Injectable()
export class TaskWorkers {
  private workers: Array<{ worker: Worker; connection: Redis }> = [];

  constructor(
    private readonly config: RunnerConfig,
    private readonly processor: TaskProcessor,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('TaskWorkers');
  }

  start(tags: readonly string[]): string[] {
    const queues = queuesFor(tags, this.config.runner.taggedOnly);
    for (const queue of queues) {
      const connection = createRedisClient({
        url: this.config.redis.url,
        connectionName: `runner:${this.config.instanceId}:${queue}`,
        commandTimeoutMs: this.config.redis.commandTimeoutMs,
        blocking: true,
      });
      const worker = new Worker(queue, (job, token) => this.processor.process(job, token), {
        connection,
        prefix: bullPrefix(this.config.redis.prefix),
        concurrency: this.config.runner.maxParallelTasks,
        // Job ids are `task-<id>`: a finished job must not linger, or re-queuing the task would be a no-op.
        removeOnComplete: { count: 0 },
        removeOnFail: { age: 24 * 3600 },
      });
      worker.on('error', (err) => this.logger.warn({ queue, err: err.message }, 'worker error'));
      this.workers.push({ worker, connection });
    }
    return queues;
  }

  /** Stops taking jobs and waits for the running ones to finish (no force). */
  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map(({ worker }) => worker.close()));
    await Promise.all(workers.map(({ connection }) => closeRedis(connection)));
  }
}
