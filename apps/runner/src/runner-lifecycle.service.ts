import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { RUNNER_READY_CHANNEL, redisKey } from '@semaphore/models';
import { waitForRedis } from '@semaphore/redis';
import { RunnerConfig } from './config';
import { ControlListener } from './control/control-listener.service';
import { HeartbeatService } from './control/heartbeat.service';
import { RunnerIdentityService } from './identity/runner-identity.service';
import { CommitCheckWorker } from './jobs/commit-check.worker';
import { RunningTasks } from './jobs/running-tasks';
import { TaskWorkers } from './jobs/task-workers.service';
import { RUNNER_REDIS } from './redis/runner-redis.module';

/**
 * Start: Redis, identity (token or registration), heartbeat, control channel, queue workers (tasks and commit
 * checks); then `runner ready`.
 * Stop: `drain()` stops taking jobs and waits for the running ones; `stopRunningTasks()` ends them early (`stopped`).
 */
@Injectable()
export class RunnerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private draining: Promise<void> | null = null;

  constructor(
    private readonly config: RunnerConfig,
    @Inject(RUNNER_REDIS) private readonly redis: Redis,
    private readonly identityService: RunnerIdentityService,
    private readonly heartbeat: HeartbeatService,
    private readonly control: ControlListener,
    private readonly workers: TaskWorkers,
    private readonly commitChecks: CommitCheckWorker,
    private readonly running: RunningTasks,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('Runner');
  }

  async onApplicationBootstrap(): Promise<void> {
    await waitForRedis(this.redis, 30_000);
    const identity = await this.identityService.resolve();
    await this.heartbeat.start(identity);
    await this.control.start(identity.id);
    const queues = this.workers.start(identity.tags);
    this.commitChecks.start();
    await this.redis.publish(
      redisKey(this.config.redis.prefix, RUNNER_READY_CHANNEL),
      JSON.stringify({ instanceId: this.config.instanceId, name: identity.name, runnerId: identity.id }),
    );
    this.logger.info(
      { event: 'runner.ready', runnerId: identity.id, tags: identity.tags, queues, tokenSource: identity.source },
      'runner ready',
    );
  }

  /** Stops taking jobs; resolves once every running task has finished and reported. Idempotent. */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      this.logger.info({ event: 'runner.draining', running: this.running.ids() }, 'draining: no new tasks');
      await Promise.all([this.workers.close(), this.commitChecks.close()]);
      await this.control.stop();
      await this.heartbeat.stop();
    })();
    return this.draining;
  }

  /** Stops every running task (they end `stopped`); a pending drain then completes. */
  stopRunningTasks(): void {
    const n = this.running.stopAll('shutdown');
    this.logger.warn({ event: 'runner.stopping-tasks', count: n }, 'stopping running tasks');
  }

  onApplicationShutdown(signal?: string): void {
    this.logger.info({ event: 'runner.stopped', signal }, 'runner stopped');
  }
}
