import type Redis from 'ioredis';
import { redisKey } from '@semaphore/models';

/** One call an integration saw: when, whether it started a task, and why not. */
export interface IntegrationDelivery {
  time: string;
  matched: boolean;
  reason: string | null;
  task_id: number | null;
}

/** How many of the newest calls are kept per integration. */
export const DELIVERIES_KEPT = 50;

const key = (prefix: string, integrationId: number) => redisKey(prefix, 'integration-deliveries', integrationId);

/** The delivery log of each integration, newest first, in Redis (capped). Best effort: a failure is the caller's to log. */
export class IntegrationDeliveries {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async record(integrationId: number, delivery: IntegrationDelivery): Promise<void> {
    await this.redis
      .multi()
      .lpush(key(this.prefix, integrationId), JSON.stringify(delivery))
      .ltrim(key(this.prefix, integrationId), 0, DELIVERIES_KEPT - 1)
      .exec();
  }

  async list(integrationId: number): Promise<IntegrationDelivery[]> {
    const raw = await this.redis.lrange(key(this.prefix, integrationId), 0, DELIVERIES_KEPT - 1);
    return raw.flatMap((entry) => {
      try {
        return [JSON.parse(entry) as IntegrationDelivery];
      } catch {
        return [];
      }
    });
  }
}
