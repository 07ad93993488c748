import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { bullPrefix, redisKey, TASK_EVENTS_FIELD, TASK_EVENTS_STREAM, type TaskEventBatch } from '@semaphore/models';

/** The Redis of an api under test: a client and the api's key prefix (`stack.redis`). */
export interface TestRedisTarget {
  client: Redis;
  prefix: string;
}

/** A BullMQ queue of the api (same Redis, same prefix), closed by `closeQueues`. */
export function taskQueue(redis: TestRedisTarget, name: string, opened: Queue[]): Queue {
  const queue = new Queue(name, { connection: redis.client, prefix: bullPrefix(redis.prefix) });
  opened.push(queue);
  return queue;
}

/** Every key under the prefix with its whole content as text (strings, hashes, lists, sets, sorted sets, streams). */
export async function dumpRedis(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const dump = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) dump.set(key, await keyContent(redis, key));
  } while (cursor !== '0');
  return dump;
}

async function keyContent(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return '';
  }
}

/** The `api` batches of a task on the event stream, oldest first. */
export async function apiBatches(redis: TestRedisTarget, taskId: number): Promise<TaskEventBatch[]> {
  const entries = await redis.client.xrange(redisKey(redis.prefix, TASK_EVENTS_STREAM), '-', '+');
  return entries
    .map(([, fields]) => {
      const i = fields.indexOf(TASK_EVENTS_FIELD);
      return JSON.parse(fields[i + 1]) as TaskEventBatch;
    })
    .filter((b) => b.source === 'api' && b.taskId === taskId);
}

/** Polls `check` until it returns a value other than undefined (waiting on an observable effect, not a sleep). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
