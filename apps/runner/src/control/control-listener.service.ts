import { Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { RUNNER_CONTROL_CHANNEL, redisKey } from '@semaphore/models';
import { closeRedis, createRedisClient } from '@semaphore/redis';
import { RunnerConfig } from '../config';
import { RunningTasks } from '../jobs/running-tasks';
import { applyControl, controlLogEntry, messageAction, parseControlMessage } from './control-messages';

/**
 * Listens on the control channel: stops the matching local task, or passes a confirm / reject to its plan. Messages
 * for tasks running elsewhere are ignored; a message missed while disconnected is caught by the heartbeat's check of
 * the durable control key.
 */
@Injectable()
export class ControlListener {
  private subscriber: Redis | null = null;

  constructor(
    private readonly config: RunnerConfig,
    private readonly running: RunningTasks,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('Control');
  }

  async start(runnerId: number): Promise<void> {
    const channel = redisKey(this.config.redis.prefix, RUNNER_CONTROL_CHANNEL);
    const subscriber = createRedisClient({
      url: this.config.redis.url,
      connectionName: `runner:${this.config.instanceId}:control`,
      commandTimeoutMs: this.config.redis.commandTimeoutMs,
      blocking: true,
    });
    subscriber.on('error', (err) => this.logger.warn({ err: err.message }, 'control channel connection error'));
    subscriber.on('message', (_channel: string, raw: string) => {
      const message = parseControlMessage(raw);
      if (!message) return this.logger.warn({ runnerId }, 'malformed control message ignored');
      const task = this.running.get(message.taskId);
      const action = messageAction(message);
      if (!task || !applyControl(task, action)) return;
      const { event, detail, msg } = controlLogEntry(action);
      this.logger.info({ event, taskId: task.taskId, runnerId, ...detail }, msg);
    });
    await subscriber.subscribe(channel);
    this.subscriber = subscriber;
  }

  async stop(): Promise<void> {
    if (this.subscriber) await closeRedis(this.subscriber);
    this.subscriber = null;
  }
}
