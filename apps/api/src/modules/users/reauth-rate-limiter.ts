import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { redisKey } from '@semaphore/models';
import { ApiConfig } from '../../config';
import { REDIS } from '../../redis/redis.module';

const WINDOW_SECONDS = 15 * 60;
const MAX_FAILURES = 10;

/**
 * Re-authentication inside a session (the current password for a password change, the passcode to turn TOTP off)
 * is a password check too: failures are counted per user in Redis, and past the limit the answer is 429 without
 * checking anything, so a stolen session or token cannot be used to guess the password.
 */
@Injectable()
export class ReauthRateLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: ApiConfig,
  ) {}

  private key(userId: number): string {
    return redisKey(this.config.redis.prefix, 'reauth-fail', userId);
  }

  async assertAllowed(userId: number): Promise<void> {
    const failures = Number((await this.redis.get(this.key(userId))) ?? 0);
    if (failures >= MAX_FAILURES) {
      throw new HttpException(
        { error: 'too many failed attempts; try again in 15 minutes' },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  async recordFailure(userId: number): Promise<void> {
    const key = this.key(userId);
    await this.redis.multi().incr(key).expire(key, WINDOW_SECONDS, 'NX').exec();
  }

  async reset(userId: number): Promise<void> {
    await this.redis.del(this.key(userId));
  }
}
