import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { bullPrefix } from '@semaphore/models';
import { bounded } from '../../common/bounded-wait';

/** The job counts of one BullMQ task queue. */
export interface QueueDepth {
  name: string;
  paused: boolean;
  waiting: number;
  active: number;
  delayed: number;
  prioritized: number;
  failed: number;
  completed: number;
}

const CLOSE_WAIT_MS = 2_000;
const COUNTED = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/**
 * Finds the task queues that exist in Redis (`tasks`, `tasks-<tag>`: every queue BullMQ has a meta key for) and
 * reads their job counts. Queue handles are kept per name and share the given (non-blocking) connection.
 */
export class QueueDepths {
  private readonly queues = new Map<string, Queue>();
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    redisPrefix: string,
  ) {
    this.prefix = bullPrefix(redisPrefix);
  }

  async all(): Promise<QueueDepth[]> {
    const names = await this.queueNames();
    return Promise.all(names.map((name) => this.depth(name)));
  }

  /** Bounded: with Redis unreachable, BullMQ's close would wait for it. */
  async close(): Promise<void> {
    await bounded(Promise.allSettled([...this.queues.values()].map((q) => q.close())), CLOSE_WAIT_MS);
    this.queues.clear();
  }

  private async depth(name: string): Promise<QueueDepth> {
    const queue = this.queue(name);
    const [counts, paused] = await Promise.all([queue.getJobCounts(...COUNTED), queue.isPaused()]);
    const count = (state: (typeof COUNTED)[number]) => counts[state] ?? 0;
    return {
      name,
      paused,
      waiting: count('waiting'),
      active: count('active'),
      delayed: count('delayed'),
      prioritized: count('prioritized'),
      failed: count('failed'),
      completed: count('completed'),
    };
  }

  private async queueNames(): Promise<string[]> {
    const names = new Set<string>();
    const match = `${this.prefix}:tasks*:meta`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
      cursor = next;
      for (const key of keys) names.add(key.slice(this.prefix.length + 1, -':meta'.length));
    } while (cursor !== '0');
    return [...names].filter((n) => /^tasks(-[a-z0-9_-]+)?$/.test(n)).sort();
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }
}
