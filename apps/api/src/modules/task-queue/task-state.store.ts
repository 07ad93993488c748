import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { redisKey } from '@semaphore/models';
import { ADMIT_LUA, HOLD_LUA, REGISTER_LUA, RELEASE_LUA } from './task-state.lua';

/** What admission needs to know about a task (captured when it is registered). */
export interface TaskRegistration {
  taskId: number;
  projectId: number;
  templateId: number;
  /** The template allows parallel runs (else one active task per template). */
  allowParallel: boolean;
  /** The project's `max_parallel_tasks` (0 = unlimited). */
  projectMaxParallel: number;
  /** Runner tag of the queue the task goes to; null = the default queue. */
  runnerTag: string | null;
}

export interface AdmittedTask {
  taskId: number;
  projectId: number;
  runnerTag: string | null;
}

export interface TaskStateSnapshot {
  /** Waiting for admission, in FIFO order. */
  waiting: number[];
  /** Admitted (released to a queue, claimed or running), ascending. */
  active: number[];
}

const FINISHED_MARK_TTL_SEC = 7 * 24 * 3600;
/** How many waiting tasks one admission looks at, at most (bounds the script's run time). */
const ADMIT_SCAN_LIMIT = 10_000;

class LuaScript {
  readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** EVALSHA, falling back to EVAL (which caches the script) after a script flush or on a fresh server. */
  async run(redis: Redis, args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, 0, ...args);
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error;
      return redis.eval(this.source, 0, ...args);
    }
  }
}

const REGISTER = new LuaScript(REGISTER_LUA);
const ADMIT = new LuaScript(ADMIT_LUA);
const RELEASE = new LuaScript(RELEASE_LUA);
const HOLD = new LuaScript(HOLD_LUA);

/**
 * The cluster-wide admission state of tasks, in Redis (ARCHITECTURE.md "Admission"). Keys, under
 * `redisKey(prefix, 'ts')`:
 * - `waiting`: sorted set of waiting task ids, scored by id (FIFO by creation; a re-queued task keeps its place);
 * - `active`: set of admitted task ids (the global count);
 * - `project:<id>:active`, `template:<id>:active`: sets of admitted task ids per project / template;
 * - `task:<id>`: hash of the registration (`p`, `t`, `par`, `pmax`, `tag`, `st`);
 * - `paused`: set of pause entries (`tasks`, `tasks-<tag>`, `<queue>:<projectId>`; see queue-pause.ts): admission
 *   passes over the waiting tasks they match, and the dispatcher holds back their jobs;
 * - `finished:<id>`: the once-only mark of a task's finish follow-ups; `lock:<name>`: short locks of periodic jobs.
 * Every change is one Lua script, so concurrent replicas never over-admit. Everything here can be rebuilt from
 * PostgreSQL (the sweep in TaskDispatchSweeper re-registers what is missing and releases what has finished), except
 * the pause set, which is an operator's decision and lives only here (it outlives api restarts, not a Redis wipe). The
 * scripts build their keys at run time, which is fine on a single Redis (or a primary with replicas), not on Redis
 * Cluster.
 */
export class TaskStateStore {
  private readonly base: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.base = redisKey(prefix, 'ts');
  }

  /** Adds a task as waiting (or directly as active, when rebuilding the state of a running task). Idempotent. */
  async register(task: TaskRegistration, state: 'waiting' | 'active' = 'waiting'): Promise<boolean> {
    return (await REGISTER.run(this.redis, this.registerArgs(task, state))) === 1;
  }

  /** Atomically admits the waiting tasks that fit the limits, in FIFO order. `globalLimit` 0 = unlimited. */
  async admit(globalLimit: number): Promise<AdmittedTask[]> {
    return parseAdmitted(await ADMIT.run(this.redis, this.admitArgs(globalLimit)));
  }

  /**
   * `register` (as waiting) then `admit`, in one round trip: both scripts in one pipeline, each still atomic on its
   * own. A script Redis does not know yet (NOSCRIPT, after a restart) is loaded and the rest done one by one.
   */
  async registerAndAdmit(task: TaskRegistration, globalLimit: number): Promise<AdmittedTask[]> {
    const [, admitted] = await this.thenAdmit(REGISTER, this.registerArgs(task, 'waiting'), globalLimit);
    return admitted;
  }

  /** `release` then `admit`, in one round trip (as `registerAndAdmit`). */
  async releaseAndAdmit(taskId: number, globalLimit: number): Promise<{ released: boolean; admitted: AdmittedTask[] }> {
    const [reply, admitted] = await this.thenAdmit(RELEASE, [this.base, taskId], globalLimit);
    return { released: reply === 1, admitted };
  }

  /** Runs `first` and then ADMIT in one pipeline; returns `first`'s reply and the admitted tasks. */
  private async thenAdmit(
    first: LuaScript,
    args: Array<string | number>,
    globalLimit: number,
  ): Promise<[unknown, AdmittedTask[]]> {
    const results = await this.redis
      .pipeline()
      .evalsha(first.sha, 0, ...args)
      .evalsha(ADMIT.sha, 0, ...this.admitArgs(globalLimit))
      .exec();
    if (!results) throw new Error('TaskStateStore: pipeline aborted');
    const [[firstError, firstReply], [admitError, flat]] = results;
    for (const error of [firstError, admitError]) {
      if (error && !String(error).includes('NOSCRIPT')) throw error;
    }
    const admitted = admitError ? [] : parseAdmitted(flat);
    if (!firstError && !admitError) return [firstReply, admitted];
    const reply = firstError ? await first.run(this.redis, args) : firstReply;
    return [reply, [...admitted, ...(await this.admit(globalLimit))]];
  }

  private registerArgs(task: TaskRegistration, state: 'waiting' | 'active'): Array<string | number> {
    return [
      this.base,
      task.taskId,
      task.projectId,
      task.templateId,
      task.allowParallel ? 1 : 0,
      Math.max(0, Math.trunc(task.projectMaxParallel)),
      task.runnerTag ?? '',
      state,
    ];
  }

  private admitArgs(globalLimit: number): Array<string | number> {
    return [this.base, Math.max(0, globalLimit), ADMIT_SCAN_LIMIT];
  }

  /** Removes a task, waiting or active. Returns whether it was registered. Idempotent. */
  async release(taskId: number): Promise<boolean> {
    return (await RELEASE.run(this.redis, [this.base, taskId])) === 1;
  }

  /**
   * Marks a task's finish follow-ups (event, build -> deploy autorun) as done: true only for the first caller, so they
   * happen once however many replicas or paths report the end. The mark expires after a week.
   */
  async markFinished(taskId: number): Promise<boolean> {
    const key = `${this.base}:finished:${taskId}`;
    return (await this.redis.set(key, '1', 'EX', FINISHED_MARK_TTL_SEC, 'NX')) === 'OK';
  }

  /** A short lock so that one replica at a time does a periodic job (the job must be safe without it too). */
  async tryLock(name: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.base}:lock:${name}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Frees a lock taken with `tryLock` before its time is up. */
  async unlock(name: string): Promise<void> {
    await this.redis.del(`${this.base}:lock:${name}`);
  }

  /** Adds a pause entry (queue-pause.ts `pauseEntry`). Returns whether it was new. */
  async pause(entry: string): Promise<boolean> {
    return (await this.redis.sadd(`${this.base}:paused`, entry)) === 1;
  }

  /** Removes a pause entry. Returns whether it was there. */
  async resume(entry: string): Promise<boolean> {
    return (await this.redis.srem(`${this.base}:paused`, entry)) === 1;
  }

  /** The pause entries, sorted. */
  async pausedEntries(): Promise<string[]> {
    return (await this.redis.smembers(`${this.base}:paused`)).sort();
  }

  /**
   * Before a job is added for an admitted task: if its queue (or its project there) is paused, the task goes back to
   * the waiting list (FIFO place kept, slot freed). True = add no job (held back, or no longer admitted).
   */
  async holdBackIfPaused(taskId: number): Promise<boolean> {
    return (await HOLD.run(this.redis, [this.base, taskId])) === 1;
  }

  async snapshot(): Promise<TaskStateSnapshot> {
    const results = await this.redis
      .multi()
      .zrange(`${this.base}:waiting`, 0, -1)
      .smembers(`${this.base}:active`)
      .exec();
    if (!results) throw new Error('TaskStateStore snapshot: transaction aborted');
    const [waiting, active] = results.map(([error, value]) => {
      if (error) throw error;
      return (value as string[]).map(Number);
    });
    return { waiting, active: active.sort((a, b) => a - b) };
  }
}

/** ADMIT's flat answer (id, project, tag, id, project, tag, ...) as admitted tasks. */
function parseAdmitted(reply: unknown): AdmittedTask[] {
  const flat = reply as string[];
  const admitted: AdmittedTask[] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) {
    admitted.push({ taskId: Number(flat[i]), projectId: Number(flat[i + 1]), runnerTag: flat[i + 2] || null });
  }
  return admitted;
}
