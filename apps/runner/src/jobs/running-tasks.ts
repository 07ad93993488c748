import { Injectable } from '@nestjs/common';
import type { LocalJob } from '@semaphore/task-engine';
import { RunnerConfig } from '../config';
import { PlanConfirmation } from './plan-confirmation';

/** Why a running task is being stopped (shown in its log). */
export type StopReason = 'stop' | 'force-stop' | 'shutdown';

/** A user's decision on a terraform/tofu plan, from the control channel or key. */
export type PlanDecision = 'confirm' | 'reject';

/** One task this runner has claimed and not finished yet. */
export class RunningTask {
  private job: LocalJob | null = null;
  private reason: StopReason | null = null;
  private paused = false;
  /** Where the job's plan waits for confirm / reject (a stop ends the wait too). */
  readonly confirmation = new PlanConfirmation();

  constructor(
    readonly taskId: number,
    private readonly onStop: (reason: StopReason) => void,
  ) {}

  get stopReason(): StopReason | null {
    return this.reason;
  }

  /** The job that runs it; a stop requested before this point stops it at once. */
  attach(job: LocalJob): void {
    this.job = job;
    if (this.reason) void job.stop();
    if (this.paused) job.pause();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** True when this changed the state. Only transfers (sftp tasks) pause; other jobs ignore it. */
  setPaused(paused: boolean): boolean {
    if (this.paused === paused) return false;
    this.paused = paused;
    if (paused) this.job?.pause();
    else this.job?.resume();
    return true;
  }

  /** Idempotent: the first reason wins. The job ends as `stopped` (its whole process group is killed). */
  requestStop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.onStop(reason);
    this.confirmation.decide('stop');
    void this.job?.stop();
  }

  /** True when this is the first decision on the plan (it may come before the job waits for it). */
  decide(decision: PlanDecision): boolean {
    return this.confirmation.decide(decision);
  }
}

/** The tasks running on this runner, and its capacity (SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS across all queues). */
@Injectable()
export class RunningTasks {
  private readonly tasks = new Map<number, RunningTask>();

  constructor(private readonly config: RunnerConfig) {}

  /** Takes a slot, or returns null when the runner is full (possible when it consumes several queues). */
  tryAdd(taskId: number, onStop: (reason: StopReason) => void): RunningTask | null {
    if (this.tasks.size >= this.config.runner.maxParallelTasks || this.tasks.has(taskId)) return null;
    const task = new RunningTask(taskId, onStop);
    this.tasks.set(taskId, task);
    return task;
  }

  remove(taskId: number): void {
    this.tasks.delete(taskId);
  }

  get(taskId: number): RunningTask | undefined {
    return this.tasks.get(taskId);
  }

  ids(): number[] {
    return [...this.tasks.keys()];
  }

  /** True when the task runs here. */
  stop(taskId: number, reason: StopReason): boolean {
    const task = this.tasks.get(taskId);
    task?.requestStop(reason);
    return task !== undefined;
  }

  stopAll(reason: StopReason): number {
    for (const task of this.tasks.values()) task.requestStop(reason);
    return this.tasks.size;
  }
}
