import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeRedis, createRedisClient } from '@semaphore/redis';
import { ApiConfig } from '../config';

/** Injection token of the api's shared (non-blocking) Redis client. */
export const REDIS = Symbol('REDIS');

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.redis);
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [ApiConfig],
      useFactory: (config: ApiConfig): Redis =>
        createRedisClient({
          url: config.redis.url,
          connectionName: `api:${config.nodeId}`,
          commandTimeoutMs: config.redis.commandTimeoutMs,
        }),
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}
