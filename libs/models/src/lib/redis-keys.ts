/**
 * Names of the Redis structures shared by api and runner. Every key starts with the configured prefix
 * (`SEMAPHORE_REDIS_PREFIX`), so several deployments or test runs can share one Redis.
 */
export function redisKey(prefix: string, ...parts: Array<string | number>): string {
  return [prefix, ...parts].join(':');
}

export const RUNNER_READY_CHANNEL = 'runner:ready';

/** Hash `cluster:api-nodes`: node id -> JSON ApiNodeBeat, refreshed by every api replica. */
export const API_NODES_KEY: readonly string[] = ['cluster', 'api-nodes'];

/** List `cluster:reconciler-actions`: the newest reconciler actions first (JSON ReconcilerAction), capped. */
export const RECONCILER_ACTIONS_KEY: readonly string[] = ['cluster', 'reconciler-actions'];

/** What an api replica says of itself every few seconds. */
export interface ApiNodeBeat {
  nodeId: string;
  version: string;
  host: string;
  pid: number;
  startedAt: string;
  time: string;
  /** WebSocket clients connected to this replica. */
  wsClients: number;
}

/** One thing the reconciler did to a task. */
export interface ReconcilerAction {
  time: string;
  nodeId: string;
  action: 'failed-runner-lost' | 'requeued';
  taskId: number;
  runnerId: number;
}
