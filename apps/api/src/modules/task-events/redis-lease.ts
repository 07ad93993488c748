import type Redis from 'ioredis';

/** Renews the lease if we hold it, takes it if it is free. Returns 1 when we hold it afterwards. */
const ACQUIRE_OR_RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** A named lease in Redis held by one owner at a time; it lapses unless renewed within `ttlMs`. */
export class RedisLease {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes or renews the lease; false while another owner holds it. */
  async hold(): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE_OR_RENEW, 1, this.key, this.owner, this.ttlMs)) === 1;
  }

  /** Gives the lease up if we hold it (shutdown: another replica takes over at once). */
  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.owner);
  }
}
