import type { TaskEventBatch } from '@semaphore/models';
import type { TaskEventsRepository } from './task-events.repository';

/** Memberships are cached this long: a member removed from a project stops receiving within this time. */
export const MEMBERSHIP_TTL_MS = 5_000;
/** A task's claim is re-read at least this often (and whenever a batch does not match it). */
const CLAIM_TTL_MS = 30_000;
const MAX_CACHED = 10_000;

interface Cached<T> {
  value: Promise<T>;
  at: number;
}

/** Who may see a project's task events: its members (cached briefly); admins see everything. */
export class ProjectAudience {
  private readonly cache = new Map<number, Cached<Set<number>>>();

  constructor(
    private readonly repo: Pick<TaskEventsRepository, 'projectMemberIds'>,
    private readonly ttlMs = MEMBERSHIP_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** User ids of the project's members. Concurrent callers share one query. */
  members(projectId: number): Promise<Set<number>> {
    const hit = this.cache.get(projectId);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    const value = this.repo.projectMemberIds(projectId).then((ids) => new Set(ids));
    value.catch(() => this.cache.delete(projectId));
    this.cache.set(projectId, { value, at: this.now() });
    return value;
  }
}

export interface TaskClaim {
  projectId: number;
  templateId: number;
  runnerId: number | null;
  claimGeneration: number;
}

/**
 * The live relay's fencing: a runner batch is relayed only if it matches the task's current claim (so WebSocket
 * clients see exactly what the persister stores), and it is relayed under the task's real project.
 */
export class TaskClaimCache {
  private readonly cache = new Map<number, { claim: TaskClaim | null; at: number }>();

  constructor(
    private readonly repo: Pick<TaskEventsRepository, 'taskClaim'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The task's claim if the batch's runner and generation hold it, else null. */
  async check(batch: TaskEventBatch): Promise<TaskClaim | null> {
    const hit = this.cache.get(batch.taskId);
    if (hit?.claim && matches(hit.claim, batch) && this.now() - hit.at < CLAIM_TTL_MS) return hit.claim;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    const claim = await this.repo.taskClaim(batch.taskId);
    this.cache.set(batch.taskId, { claim, at: this.now() });
    return claim && matches(claim, batch) ? claim : null;
  }
}

function matches(claim: TaskClaim, batch: TaskEventBatch): boolean {
  return claim.runnerId === batch.runnerId && claim.claimGeneration === batch.gen;
}
