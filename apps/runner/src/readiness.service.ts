import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { RUNNER_READY_CHANNEL, redisKey } from '@semaphore/models';
import { waitForRedis } from '@semaphore/redis';
import { RunnerConfig } from './config';
import { RUNNER_REDIS } from './redis/runner-redis.module';

/** Waits for Redis, then announces the runner as ready (log line and Redis channel); logs the clean stop. */
@Injectable()
export class ReadinessService implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly config: RunnerConfig,
    @Inject(RUNNER_REDIS) private readonly redis: Redis,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('Runner');
  }

  async onApplicationBootstrap(): Promise<void> {
    await waitForRedis(this.redis, 30_000);
    await this.redis.publish(
      redisKey(this.config.redis.prefix, RUNNER_READY_CHANNEL),
      JSON.stringify({ instanceId: this.config.instanceId, name: this.config.runner.name }),
    );
    this.logger.info({ event: 'runner.ready', tags: this.config.runner.tags }, 'runner ready');
  }

  onApplicationShutdown(signal?: string): void {
    this.logger.info({ event: 'runner.stopped', signal }, 'runner stopped');
  }
}
