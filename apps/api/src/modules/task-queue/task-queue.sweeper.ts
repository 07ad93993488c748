import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { isFinishedStatus, TaskStatus } from '@semaphore/models';
import { REDIS } from '../../redis/redis.module';
import { TaskAdmissionService } from './task-admission.service';
import { TaskDispatcher } from './task-dispatcher';
import { TaskLifecycleService } from './task-lifecycle.service';
import { TaskQueueRepository, UNFINISHED_STATUSES } from './task-queue.repository';
import { TaskStateStore } from './task-state.store';

/** How often every replica reconciles the admission state with PostgreSQL. */
export const SWEEP_INTERVAL_MS = 3_000;

export interface SweepResult {
  registered: number[];
  released: number[];
  jobsAdded: number[];
  admitted: number[];
}

/**
 * Repairs what a crash between two steps leaves behind, so that Redis can always be rebuilt from PostgreSQL. Runs at
 * start-up and then every few seconds on every replica (a short lock lets one replica do it per period; every step is
 * idempotent, so overlapping sweeps are harmless):
 * 1. store entries whose task finished or was deleted -> the finish path (release, follow-ups once);
 * 2. unfinished tasks missing from the store -> registered (waiting, or active when already claimed);
 * 3. admitted tasks still `waiting` in PostgreSQL without a live BullMQ job -> the job is added again;
 * 4. admission of whatever fits now.
 */
@Injectable()
export class TaskQueueSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TaskQueueSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly repo: TaskQueueRepository,
    private readonly store: TaskStateStore,
    private readonly admission: TaskAdmissionService,
    private readonly lifecycle: TaskLifecycleService,
    private readonly dispatcher: TaskDispatcher,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  onApplicationBootstrap(): void {
    // The first pass as soon as Redis is connected (commands fail fast while it is not).
    if (this.redis.status === 'ready') this.tick();
    else this.redis.once('ready', () => this.tick());
    this.timer = setInterval(() => this.tick(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.dispatcher.close().catch(() => undefined);
  }

  private tick(): void {
    if (this.running || this.redis.status !== 'ready') return;
    this.running = this.sweepIfLeader()
      .catch((error: unknown) => this.logger.error(`task queue sweep failed: ${String(error)}`))
      .finally(() => {
        this.running = null;
      });
  }

  private async sweepIfLeader(): Promise<void> {
    if (!(await this.store.tryLock('sweep', SWEEP_INTERVAL_MS - 500))) return;
    const result = await this.sweep();
    const changed = result.registered.length + result.released.length + result.jobsAdded.length;
    if (changed > 0) this.logger.warn(`task queue repaired: ${JSON.stringify(result)}`);
  }

  /** One reconciliation pass (the store is read first, PostgreSQL second; see the class comment). */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { registered: [], released: [], jobsAdded: [], admitted: [] };
    const snapshot = await this.store.snapshot();
    const active = new Set(snapshot.active);
    const inStore = new Set([...snapshot.waiting, ...snapshot.active]);
    const unfinished = await this.repo.tasksForAdmission({ statuses: UNFINISHED_STATUSES });
    const unfinishedIds = new Set(unfinished.map((u) => u.task.id));
    for (const id of inStore) {
      if (unfinishedIds.has(id)) continue;
      const row = await this.repo.findTaskById(id);
      if (row && !isFinishedStatus(row.status)) continue; // created or re-opened after the query
      if (row) await this.lifecycle.onTaskFinished(row);
      else await this.admission.release(id);
      result.released.push(id);
    }
    for (const { task, allowParallel, projectMaxParallel } of unfinished) {
      if (!inStore.has(task.id)) {
        const state = task.status === TaskStatus.Waiting ? 'waiting' : 'active';
        const registration = { taskId: task.id, projectId: task.projectId, templateId: task.templateId };
        const added = await this.store.register(
          { ...registration, allowParallel, projectMaxParallel, runnerTag: task.runnerTag },
          state,
        );
        if (added) result.registered.push(task.id);
      } else if (active.has(task.id) && task.status === TaskStatus.Waiting) {
        if (await this.admission.ensureJob(task)) result.jobsAdded.push(task.id);
      }
    }
    result.admitted = (await this.admission.admitAndDispatch()).map((t) => t.taskId);
    return result;
  }
}
