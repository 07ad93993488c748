import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { API_NODES_KEY, redisKey, type ApiNodeBeat } from '@semaphore/models';
import { productVersion } from '../../cli/version';
import { ApiConfig } from '../../config';
import { REDIS } from '../../redis/redis.module';
import { TaskEventsGateway } from '../task-events/task-events.gateway';

/** How often a replica refreshes its entry, and after how long without one it counts as gone. */
export const API_BEAT_EVERY_MS = 5_000;
export const API_NODE_GONE_AFTER_MS = 15_000;

/**
 * Announces this api replica in the `cluster:api-nodes` hash (for `GET /api/cluster`), removes its entry on a clean
 * shutdown, and prunes entries of replicas that stopped beating without one (killed).
 */
@Injectable()
export class ApiPresenceService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ApiPresenceService.name);
  private readonly startedAt = new Date().toISOString();
  private readonly version = productVersion();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly gateway: TaskEventsGateway,
  ) {}

  onApplicationBootstrap(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), API_BEAT_EVERY_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.redis.hdel(this.key, this.config.nodeId);
    } catch {
      // Pruned by the other replicas once it is stale.
    }
  }

  /** The live replicas, oldest first; stale entries are removed on the way. */
  async nodes(now = Date.now()): Promise<ApiNodeBeat[]> {
    const all = await this.redis.hgetall(this.key);
    const live: ApiNodeBeat[] = [];
    const stale: string[] = [];
    for (const [nodeId, raw] of Object.entries(all)) {
      const beat = parseBeat(raw);
      if (beat && now - Date.parse(beat.time) <= API_NODE_GONE_AFTER_MS) live.push(beat);
      else stale.push(nodeId);
    }
    if (stale.length) await this.redis.hdel(this.key, ...stale).catch(() => 0);
    return live.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.nodeId.localeCompare(b.nodeId));
  }

  private get key(): string {
    return redisKey(this.config.redis.prefix, ...API_NODES_KEY);
  }

  private async beat(): Promise<void> {
    // Not connected (yet, or during an outage, which the health check reports): the next beat will do.
    if (this.redis.status !== 'ready') return;
    const beat: ApiNodeBeat = {
      nodeId: this.config.nodeId,
      version: this.version,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      time: new Date().toISOString(),
      wsClients: this.gateway.connectionCount,
    };
    try {
      await this.redis.hset(this.key, this.config.nodeId, JSON.stringify(beat));
    } catch (err) {
      this.logger.warn(`cannot announce this replica: ${String(err)}`);
    }
  }
}

function parseBeat(raw: string): ApiNodeBeat | null {
  try {
    const beat = JSON.parse(raw) as Partial<ApiNodeBeat>;
    return typeof beat.nodeId === 'string' && typeof beat.time === 'string' ? (beat as ApiNodeBeat) : null;
  } catch {
    return null;
  }
}
