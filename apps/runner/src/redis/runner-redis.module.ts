import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeRedis, createRedisClient } from '@semaphore/redis';
import { RunnerConfig } from '../config';

export const RUNNER_REDIS = Symbol('RUNNER_REDIS');

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(RUNNER_REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.redis);
  }
}

@Global()
@Module({
  providers: [
    {
      provide: RUNNER_REDIS,
      inject: [RunnerConfig],
      useFactory: (config: RunnerConfig): Redis =>
        createRedisClient({
          url: config.redis.url,
          connectionName: `runner:${config.instanceId}`,
          commandTimeoutMs: config.redis.commandTimeoutMs,
        }),
    },
    RedisCloser,
  ],
  exports: [RUNNER_REDIS],
})
export class RunnerRedisModule {}
