export { createRedisClient, waitForRedis, closeRedis } from './redis-client';
export type { RedisClientOptions } from './redis-client';
