import type { ScheduleEntity } from '@semaphore/persistence';
import { parseCronFormat } from '../schedules/cron-format';

/** The BullMQ queue of schedule fire times (one job per schedule and intended fire time). */
export const SCHEDULES_QUEUE = 'schedules';
export const FIRE_JOB = 'fire';

/** A fire time is remembered this long, so that a redelivered job never starts a second task for it. */
export const FIRED_TTL_SECONDS = 7 * 24 * 3600;

export interface ScheduleJobData {
  scheduleId: number;
}

/** The BullMQ job scheduler of a cron schedule. */
export function schedulerId(scheduleId: number): string {
  return `schedule-${scheduleId}`;
}

/** The delayed job of a one-shot (`run_at`) schedule: its id names the fire time, so adding it twice is a no-op. */
export function runAtJobId(scheduleId: number, runAt: Date): string {
  return `schedule-${scheduleId}-at-${runAt.getTime()}`;
}

/** What a schedule needs in the queue: a repeating scheduler, one delayed job, or nothing. */
export type ScheduleTrigger =
  | { kind: 'repeat'; repeat: { pattern: string; tz?: string } | { every: number } }
  | { kind: 'once'; at: Date }
  | { kind: 'none'; reason: string };

/** The trigger of a schedule row (invalid or inactive ones have none). */
export function scheduleTrigger(schedule: Pick<ScheduleEntity, 'active' | 'cronFormat' | 'runAt'>): ScheduleTrigger {
  if (!schedule.active) return { kind: 'none', reason: 'inactive' };
  if (schedule.runAt) return { kind: 'once', at: schedule.runAt };
  try {
    const parsed = parseCronFormat(schedule.cronFormat);
    if (parsed.kind === 'every') return { kind: 'repeat', repeat: { every: parsed.intervalMs } };
    return {
      kind: 'repeat',
      repeat: parsed.timeZone ? { pattern: parsed.expression, tz: parsed.timeZone } : { pattern: parsed.expression },
    };
  } catch (err) {
    return { kind: 'none', reason: `invalid cron_format: ${(err as Error).message}` };
  }
}

/**
 * The intended fire time of a job: job schedulers name their jobs `repeat:<scheduler id>:<fire time in ms>`, one-shot
 * jobs end in `-at-<ms>`; otherwise the time the job was due.
 */
export function fireTimeOf(job: { id?: string; timestamp: number; delay?: number }): number {
  const match = /(?::|-at-)(\d{10,})$/.exec(job.id ?? '');
  return match ? Number(match[1]) : job.timestamp + (job.delay ?? 0);
}
