/**
 * Names of the Redis structures shared by api and runner. Every key starts with the configured prefix
 * (`SEMAPHORE_REDIS_PREFIX`), so several deployments or test runs can share one Redis.
 */
export function redisKey(prefix: string, ...parts: Array<string | number>): string {
  return [prefix, ...parts].join(':');
}

export const RUNNER_READY_CHANNEL = 'runner:ready';
