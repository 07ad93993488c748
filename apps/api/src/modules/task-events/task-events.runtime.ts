import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { closeRedis, waitForRedis } from '@semaphore/redis';
import { REDIS } from '../../redis/redis.module';
import { RunnerReconciler } from './runner-reconciler';
import { TaskEventLiveReader } from './task-event-live-reader';
import { TaskEventPersister } from './task-event-persister';
import { TaskEventsGateway } from './task-events.gateway';

/** The dedicated blocking Redis connections (XREADGROUP BLOCK, XREAD BLOCK): never the shared client. */
export const PERSIST_REDIS = Symbol('PERSIST_REDIS');
export const LIVE_REDIS = Symbol('LIVE_REDIS');

/**
 * Starts the background work of the event path once the application is up, and stops it (before the shared Redis
 * client and the database close) on shutdown.
 */
@Injectable()
export class TaskEventsRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly persister: TaskEventPersister,
    private readonly liveReader: TaskEventLiveReader,
    private readonly reconciler: RunnerReconciler,
    private readonly gateway: TaskEventsGateway,
    @Inject(PERSIST_REDIS) private readonly persistRedis: Redis,
    @Inject(LIVE_REDIS) private readonly liveRedis: Redis,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  private stopping = false;
  private started: Promise<void> = Promise.resolve();

  /** Starts once the shared Redis client is connected (not blocking the start-up; loops retry on their own). */
  onApplicationBootstrap(): void {
    this.liveReader.setSink(this.gateway);
    this.started = waitForRedis(this.redis, 10_000)
      .catch(() => undefined)
      .then(() => {
        if (this.stopping) return;
        this.liveReader.start();
        this.persister.start();
        this.reconciler.start();
      });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.started;
    await Promise.all([this.liveReader.stop(), this.persister.stop(), this.reconciler.stop()]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([closeRedis(this.persistRedis), closeRedis(this.liveRedis)]);
  }
}
