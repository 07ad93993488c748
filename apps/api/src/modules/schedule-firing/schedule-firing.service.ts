import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Queue, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { Repository } from 'typeorm';
import { bullPrefix, redisKey } from '@semaphore/models';
import { ScheduleEntity, TaskEntity } from '@semaphore/persistence';
import { closeRedis, createRedisClient } from '@semaphore/redis';
import { bounded } from '../../common/bounded-wait';
import { ApiConfig } from '../../config';
import { REDIS } from '../../redis/redis.module';
import { EventsService } from '../events/events.service';
import { parseCronFormat, previousCronRun } from '../schedules/cron-format';
import { TaskCreateService } from '../task-queue/task-create.service';
import { CommitScheduleService } from './commit-schedule.service';
import {
  FIRED_TTL_SECONDS,
  FIRE_JOB,
  SCHEDULES_QUEUE,
  fireTimeOf,
  runAtJobId,
  scheduleTrigger,
  schedulerId,
  type ScheduleJobData,
} from './schedule-jobs';

const KEEP_JOBS = { count: 100 };
const SHUTDOWN_WAIT_MS = 2_000;
/** A fire time this recent may still be in flight on another replica: it is not called missed yet. */
const MISSED_AFTER_MS = 60_000;

/**
 * Fires schedules exactly once per intended fire time across all api replicas. Each schedule is a BullMQ job
 * scheduler (cron pattern with its zone, or `@every`) or, for `run_at`, one delayed job; BullMQ names every produced
 * job by its fire time, so replicas that register the same schedule produce one job per fire time, and each replica's
 * worker takes jobs from the same queue. A task is created for a fire time only after `SET NX` on
 * `schedules:fired:<id>:<ms>`: a job redelivered after a crash cannot start a second one. Missed fire times (every
 * replica down) are not replayed: the scheduler resumes at the next one.
 */
@Injectable()
export class ScheduleFiringService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ScheduleFiringService.name);
  private readonly queue: Queue<ScheduleJobData>;
  private worker: Worker<ScheduleJobData> | null = null;
  private workerRedis: Redis | null = null;

  constructor(
    private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectRepository(ScheduleEntity) private readonly schedules: Repository<ScheduleEntity>,
    @InjectRepository(TaskEntity) private readonly taskRows: Repository<TaskEntity>,
    private readonly tasks: TaskCreateService,
    private readonly events: EventsService,
    private readonly commits: CommitScheduleService,
  ) {
    this.queue = new Queue(SCHEDULES_QUEUE, { connection: redis, prefix: bullPrefix(config.redis.prefix) });
    this.queue.on('error', (err) => this.logger.warn(`schedules queue: ${err.message}`));
  }

  onApplicationBootstrap(): void {
    this.workerRedis = createRedisClient({
      url: this.config.redis.url,
      connectionName: `api:${this.config.nodeId}:schedules`,
      commandTimeoutMs: this.config.redis.commandTimeoutMs,
      blocking: true,
    });
    this.worker = new Worker(SCHEDULES_QUEUE, (job) => this.fire(job), {
      connection: this.workerRedis,
      prefix: bullPrefix(this.config.redis.prefix),
      concurrency: 4,
    });
    this.worker.on('error', (err) => this.logger.warn(`schedules worker: ${err.message}`));
    this.syncAll().catch((err: unknown) => this.logger.warn(`schedules not synchronised yet: ${String(err)}`));
  }

  /** Bounded: with Redis unreachable, BullMQ's close would wait for it forever. */
  async beforeApplicationShutdown(): Promise<void> {
    await bounded(this.worker?.close(), SHUTDOWN_WAIT_MS);
    await bounded(this.queue.close(), SHUTDOWN_WAIT_MS);
    if (this.workerRedis) await closeRedis(this.workerRedis);
  }

  /** Puts one schedule's trigger in the queue as the row says (or removes it when the row is gone or inactive). */
  async sync(scheduleId: number): Promise<void> {
    const schedule = await this.schedules.findOneBy({ id: scheduleId });
    const trigger = schedule ? scheduleTrigger(schedule) : ({ kind: 'none', reason: 'deleted' } as const);
    if (trigger.kind !== 'repeat') await this.queue.removeJobScheduler(schedulerId(scheduleId));
    if (trigger.kind === 'repeat') {
      await this.queue.upsertJobScheduler(schedulerId(scheduleId), trigger.repeat, {
        name: FIRE_JOB,
        data: { scheduleId },
        opts: { removeOnComplete: KEEP_JOBS, removeOnFail: KEEP_JOBS },
      });
    } else if (trigger.kind === 'once' && trigger.at.getTime() > Date.now()) {
      await this.queue.add(
        FIRE_JOB,
        { scheduleId },
        {
          jobId: runAtJobId(scheduleId, trigger.at),
          delay: trigger.at.getTime() - Date.now(),
          removeOnComplete: KEEP_JOBS,
          removeOnFail: KEEP_JOBS,
        },
      );
    }
  }

  /** At start-up: every schedule's trigger, and no scheduler for a schedule that is gone. */
  async syncAll(): Promise<void> {
    const rows = await this.schedules.find({ select: { id: true } });
    for (const { id } of rows) await this.sync(id);
    const known = new Set(rows.map((r) => schedulerId(r.id)));
    for (const scheduler of await this.queue.getJobSchedulers(0, -1)) {
      const id = scheduler.key ?? scheduler.id;
      if (id && !known.has(id)) await this.queue.removeJobScheduler(id);
    }
    const missed = await this.reportMissed();
    this.logger.log(`schedules synchronised (${rows.length}); missed fire times reported: ${missed}`);
  }

  /**
   * At start-up: the latest intended fire time of each active schedule that passed without a task (every replica was
   * down) goes to the project's event log, once across replicas. It is not run late, nor are older missed ones.
   */
  async reportMissed(now = Date.now()): Promise<number> {
    let reported = 0;
    for (const schedule of await this.schedules.find({ where: { active: true } })) {
      const missed = this.lastFireTime(schedule, new Date(now - MISSED_AFTER_MS));
      if (!missed || missed <= schedule.created) continue;
      const last = await this.taskRows.findOne({ where: { scheduleId: schedule.id }, order: { created: 'DESC' } });
      if (last && last.created >= missed) continue;
      const key = redisKey(this.config.redis.prefix, 'schedules', 'missed', schedule.id, missed.getTime());
      if ((await this.redis.set(key, this.config.nodeId, 'EX', FIRED_TTL_SECONDS, 'NX')) !== 'OK') continue;
      const description = `Schedule ${schedule.name || schedule.id} missed its run at ${missed.toISOString()} (no api was running); it is not run late`;
      await this.events.log({
        projectId: schedule.projectId,
        userId: null,
        objectType: 'schedule',
        objectId: schedule.id,
        description,
      });
      this.logger.warn(description);
      reported++;
    }
    return reported;
  }

  private lastFireTime(schedule: ScheduleEntity, before: Date): Date | null {
    if (schedule.repositoryId !== null) return null;
    if (schedule.runAt) return schedule.runAt < before ? schedule.runAt : null;
    try {
      const parsed = parseCronFormat(schedule.cronFormat);
      return parsed.kind === 'cron' ? previousCronRun(parsed, before) : null;
    } catch {
      return null;
    }
  }

  private async fire(job: Job<ScheduleJobData>): Promise<void> {
    const scheduleId = Number(job.data?.scheduleId);
    if (!Number.isSafeInteger(scheduleId) || scheduleId <= 0) return;
    const fireTime = fireTimeOf({ id: job.id, timestamp: job.timestamp, delay: job.opts.delay });
    const schedule = await this.schedules.findOne({ where: { id: scheduleId }, relations: { template: true } });
    if (!schedule?.active || !schedule.template) return;
    if (schedule.repositoryId !== null) {
      await this.commits.requestCheck(scheduleId, fireTime);
      return;
    }
    const firedKey = redisKey(this.config.redis.prefix, 'schedules', 'fired', scheduleId, fireTime);
    if ((await this.redis.set(firedKey, job.id ?? '1', 'EX', FIRED_TTL_SECONDS, 'NX')) !== 'OK') return;
    const task = await this.tasks.createScheduledTask(schedule.template, scheduleId);
    this.logger.log(`schedule ${scheduleId} fired for ${new Date(fireTime).toISOString()}: task ${task.id}`);
  }
}
