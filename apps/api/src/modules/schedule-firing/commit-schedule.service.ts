import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { Repository } from 'typeorm';
import {
  COMMIT_CHECKS_QUEUE,
  bullPrefix,
  commitCheckJobId,
  redisKey,
  type CommitCheckJobData,
} from '@semaphore/models';
import { ScheduleEntity } from '@semaphore/persistence';
import { badRequest, notFound } from '../../common/api-errors';
import { bounded } from '../../common/bounded-wait';
import { ApiConfig } from '../../config';
import { REDIS } from '../../redis/redis.module';
import { TaskCreateService } from '../task-queue/task-create.service';
import type { CommitReportDto } from './dto/commit-report.dto';
import { FIRED_TTL_SECONDS } from './schedule-jobs';

const KEEP_JOBS = { count: 100 };
const SHUTDOWN_WAIT_MS = 2_000;

export interface CommitReportResult {
  fired: boolean;
  task_id: number | null;
}

/**
 * "Run only when the repository has a new commit" schedules. At each fire time the api does not run git: it queues
 * a commit check (one job per fire time, whichever replica fired it), a runner looks the branch up and reports the
 * hash, and a task starts only when `last_commit_hash` changes (a compare-and-set in PostgreSQL, so two reports of
 * one commit start one task).
 */
@Injectable()
export class CommitScheduleService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(CommitScheduleService.name);
  private readonly queue: Queue<CommitCheckJobData>;

  constructor(
    private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectRepository(ScheduleEntity) private readonly schedules: Repository<ScheduleEntity>,
    private readonly tasks: TaskCreateService,
  ) {
    this.queue = new Queue(COMMIT_CHECKS_QUEUE, { connection: redis, prefix: bullPrefix(config.redis.prefix) });
    this.queue.on('error', (err) => this.logger.warn(`commit checks queue: ${err.message}`));
  }

  /** Bounded: with Redis unreachable, BullMQ's close would wait for it forever. */
  async beforeApplicationShutdown(): Promise<void> {
    await bounded(this.queue.close(), SHUTDOWN_WAIT_MS);
  }

  /** Queues the check of one fire time (adding it twice is a no-op). */
  async requestCheck(scheduleId: number, fireTime: number): Promise<void> {
    await this.queue.add(
      'check',
      { scheduleId, fireTime },
      {
        jobId: commitCheckJobId(scheduleId, fireTime),
        attempts: 3,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: KEEP_JOBS,
        removeOnFail: KEEP_JOBS,
      },
    );
  }

  /** A runner's report: a new hash starts one task (recording `schedule_id`); the same hash again starts none. */
  async report(scheduleId: number, body: CommitReportDto): Promise<CommitReportResult> {
    const schedule = await this.schedules.findOne({ where: { id: scheduleId }, relations: { template: true } });
    if (!schedule || schedule.repositoryId === null) throw notFound('Schedule');
    const none = { fired: false, task_id: null };
    if (body.commit_hash === undefined) {
      if (body.error === undefined) throw badRequest('commit_hash or error is required');
      this.logger.warn(`schedule ${scheduleId}: the commit check failed: ${body.error}`);
      return none;
    }
    if (!schedule.active || !schedule.template) return none;
    const changed = await this.schedules
      .createQueryBuilder()
      .update()
      .set({ lastCommitHash: body.commit_hash })
      .where('id = :id', { id: scheduleId })
      .andWhere('(last_commit_hash IS NULL OR last_commit_hash <> :hash)', { hash: body.commit_hash })
      .execute();
    if (!changed.affected) return none;
    const firedKey = redisKey(this.config.redis.prefix, 'schedules', 'fired', scheduleId, body.fire_time);
    if ((await this.redis.set(firedKey, body.commit_hash, 'EX', FIRED_TTL_SECONDS, 'NX')) !== 'OK') return none;
    const task = await this.tasks.createScheduledTask(schedule.template, scheduleId);
    this.logger.log(`schedule ${scheduleId}: new commit ${body.commit_hash.slice(0, 12)}: task ${task.id}`);
    return { fired: true, task_id: task.id };
  }
}
