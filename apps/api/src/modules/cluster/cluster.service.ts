import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { RECONCILER_ACTIONS_KEY, redisKey, type ReconcilerAction, type TaskStatus } from '@semaphore/models';
import { ApiConfig } from '../../config';
import { REDIS } from '../../redis/redis.module';
import { RunnersService, type RunnerLiveView } from '../runners/runners.service';
import { RECONCILER_ACTIONS_KEPT } from '../task-events/runner-reconciler';
import { ApiPresenceService } from './api-presence.service';
import { ClusterRepository } from './cluster.repository';
import { QueueDepths, type QueueDepth } from './queue-depths';

/** `GET /api/cluster`. */
export interface ClusterView {
  node_id: string;
  api_nodes: Array<{
    node_id: string;
    version: string;
    host: string;
    pid: number;
    started_at: string;
    last_seen: string;
    ws_clients: number;
  }>;
  runners: RunnerLiveView[];
  queues: QueueDepth[];
  /** Unfinished tasks by status, from PostgreSQL (`waiting` includes tasks not yet admitted to a queue). */
  tasks: Partial<Record<TaskStatus, number>>;
  reconciler: { last_actions: ReconcilerAction[] };
}

/** What the cluster looks like from here: every api replica, runner and queue, and what the reconciler did. */
@Injectable()
export class ClusterService implements OnModuleDestroy {
  private readonly depths: QueueDepths;

  constructor(
    private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly presence: ApiPresenceService,
    private readonly runners: RunnersService,
    private readonly repo: ClusterRepository,
  ) {
    this.depths = new QueueDepths(redis, config.redis.prefix);
  }

  async view(): Promise<ClusterView> {
    const [nodes, runners, queues, tasks, actions] = await Promise.all([
      this.presence.nodes(),
      this.runners.liveList(),
      this.depths.all(),
      this.repo.unfinishedByStatus(),
      this.reconcilerActions(),
    ]);
    return {
      node_id: this.config.nodeId,
      api_nodes: nodes.map((n) => ({
        node_id: n.nodeId,
        version: n.version,
        host: n.host,
        pid: n.pid,
        started_at: n.startedAt,
        last_seen: n.time,
        ws_clients: n.wsClients,
      })),
      runners,
      queues,
      tasks,
      reconciler: { last_actions: actions },
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.depths.close();
  }

  private async reconcilerActions(): Promise<ReconcilerAction[]> {
    const raw = await this.redis.lrange(
      redisKey(this.config.redis.prefix, ...RECONCILER_ACTIONS_KEY),
      0,
      RECONCILER_ACTIONS_KEPT - 1,
    );
    return raw.flatMap((entry) => {
      try {
        return [JSON.parse(entry) as ReconcilerAction];
      } catch {
        return [];
      }
    });
  }
}
