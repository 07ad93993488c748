import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { redisKey } from '@semaphore/models';
import { ApiConfig } from '../../config';
import { REDIS } from '../../redis/redis.module';

const WINDOW_SECONDS = 15 * 60;
const MAX_FAILURES_PER_ACCOUNT = 10;
const MAX_FAILURES_PER_ADDRESS = 50;

/**
 * Counts failed logins per account and per client address in Redis (shared by every api replica) over a 15-minute
 * window. Past the limit, login answers 429 without checking the password.
 */
@Injectable()
export class LoginRateLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: ApiConfig,
  ) {}

  private keys(login: string, address: string): [string, string] {
    const p = this.config.redis.prefix;
    return [redisKey(p, 'login-fail', 'account', login.toLowerCase()), redisKey(p, 'login-fail', 'addr', address)];
  }

  async assertAllowed(login: string, address: string): Promise<void> {
    const [account, addr] = this.keys(login, address);
    const [a, b] = await this.redis.mget(account, addr);
    if (Number(a ?? 0) >= MAX_FAILURES_PER_ACCOUNT || Number(b ?? 0) >= MAX_FAILURES_PER_ADDRESS) {
      throw new HttpException(
        { error: 'too many failed login attempts; try again in 15 minutes' },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  async recordFailure(login: string, address: string): Promise<void> {
    const [account, addr] = this.keys(login, address);
    await this.redis
      .multi()
      .incr(account)
      .expire(account, WINDOW_SECONDS, 'NX')
      .incr(addr)
      .expire(addr, WINDOW_SECONDS, 'NX')
      .exec();
  }

  async reset(login: string): Promise<void> {
    await this.redis.del(this.keys(login, '')[0]);
  }
}
