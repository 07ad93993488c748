import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { redisKey, runnerAliveKey, taskControlKey, taskPausedKey, type RunnerHeartbeat } from '@semaphore/models';
import { RunnerConfig } from '../config';
import type { RunnerIdentity } from '../identity/runner-identity.service';
import { RunningTasks } from '../jobs/running-tasks';
import { RUNNER_REDIS } from '../redis/runner-redis.module';
import { runnerVersion } from '../version';
import {
  applyControl,
  controlKeyAction,
  controlLogEntry,
  pausedKeyAction,
  type ControlAction,
} from './control-messages';

export const HEARTBEAT_INTERVAL_MS = 5_000;
export const HEARTBEAT_TTL_SECONDS = 12;

/**
 * Every 5 s: the alive key (JSON RunnerHeartbeat, 12 s TTL: two missed beats) and, for the running tasks, the durable control keys
 * (a stop, confirm or reject whose pub/sub message was missed is only late, never lost).
 */
@Injectable()
export class HeartbeatService {
  private timer: NodeJS.Timeout | undefined;
  private identity: RunnerIdentity | null = null;

  constructor(
    private readonly config: RunnerConfig,
    @Inject(RUNNER_REDIS) private readonly redis: Redis,
    private readonly running: RunningTasks,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('Heartbeat');
  }

  async start(identity: RunnerIdentity): Promise<void> {
    this.identity = identity;
    await this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
  }

  /** Stops beating and removes the alive key: the runner shows offline at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.identity) return;
    try {
      await this.redis.del(this.aliveKey(this.identity.id));
    } catch {
      // It expires on its own.
    }
  }

  private aliveKey(id: number): string {
    return redisKey(this.config.redis.prefix, ...runnerAliveKey(id));
  }

  private apply(taskId: number, action: ControlAction | null, runnerId: number): void {
    const task = this.running.get(taskId);
    if (!action || !task || !applyControl(task, action)) return;
    const { event, detail, msg } = controlLogEntry(action);
    this.logger.info({ event, taskId, runnerId, ...detail }, `${msg} (control key)`);
  }

  private async beat(): Promise<void> {
    const identity = this.identity;
    if (!identity) return;
    const taskIds = this.running.ids();
    const beat: RunnerHeartbeat = {
      runnerId: identity.id,
      instanceId: this.config.instanceId,
      version: runnerVersion(),
      tags: identity.tags,
      maxParallelTasks: this.config.runner.maxParallelTasks,
      runningTaskIds: taskIds,
      time: new Date().toISOString(),
    };
    try {
      const pipeline = this.redis
        .pipeline()
        .set(this.aliveKey(identity.id), JSON.stringify(beat), 'EX', HEARTBEAT_TTL_SECONDS);
      if (taskIds.length) {
        const prefix = this.config.redis.prefix;
        pipeline.mget(taskIds.map((id) => redisKey(prefix, ...taskControlKey(id))));
        pipeline.mget(taskIds.map((id) => redisKey(prefix, ...taskPausedKey(id))));
      }
      const results = (await pipeline.exec()) ?? [];
      const controls = (results[1]?.[1] ?? []) as Array<string | null>;
      const pauses = (results[2]?.[1] ?? []) as Array<string | null>;
      controls.forEach((value, i) => this.apply(taskIds[i], controlKeyAction(value), identity.id));
      pauses.forEach((value, i) => this.apply(taskIds[i], pausedKeyAction(value), identity.id));
    } catch (err) {
      this.logger.warn(
        { err: err instanceof Error ? err.message : String(err), runnerId: identity.id },
        'heartbeat failed',
      );
    }
  }
}
