import {
  Global,
  Inject,
  Injectable,
  Module,
  ServiceUnavailableException,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { closeRedis, createRedisClient } from '@semaphore/redis';
import { unavailableMessage } from '../common/dependency-errors';
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

/**
 * A precheck for operations that change PostgreSQL first and then need Redis (e.g. a stop, which must reach the
 * runner): refusing them up front with 503 keeps an outage from leaving half-done changes behind.
 */
@Injectable()
export class RedisAvailability {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async require(): Promise<void> {
    try {
      await this.redis.ping();
    } catch {
      throw new ServiceUnavailableException(unavailableMessage('redis'));
    }
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
    RedisAvailability,
  ],
  exports: [REDIS, RedisAvailability],
})
export class RedisModule {}
