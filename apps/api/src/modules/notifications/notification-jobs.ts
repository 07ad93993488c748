import { TaskStatus } from '@semaphore/models';
import { CHANNEL_NAMES, type ChannelName } from './channels';
import { isAlertStatus } from './alert';

export const NOTIFICATIONS_QUEUE = 'notifications';
export const SEND_JOB = 'send';

/** One delivery: ids only (no payload, no address, no secret in Redis). `userId`: the e-mail recipient. */
export interface NotificationJobData {
  taskId: number;
  status: TaskStatus;
  channel: ChannelName;
  userId?: number;
}

/**
 * `alert-<task>-<status>-<channel>[-<user>]`: the same delivery always gets the same job id, so adding it again (a
 * second replica, a redelivered status event) is a no-op while the job is kept.
 */
export function notificationJobId(job: NotificationJobData): string {
  const base = `alert-${job.taskId}-${job.status}-${job.channel}`;
  return job.userId === undefined ? base : `${base}-${job.userId}`;
}

const positiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/** Validates job data read back from Redis; null when it is not a delivery this version understands. */
export function parseNotificationJob(data: unknown): NotificationJobData | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Record<string, unknown>;
  if (!positiveInt(d.taskId) || typeof d.status !== 'string' || !isAlertStatus(d.status)) return null;
  if (typeof d.channel !== 'string' || !(CHANNEL_NAMES as readonly string[]).includes(d.channel)) return null;
  if (d.channel === 'email' ? !positiveInt(d.userId) : d.userId !== undefined) return null;
  const job: NotificationJobData = { taskId: d.taskId, status: d.status, channel: d.channel as ChannelName };
  if (d.channel === 'email') job.userId = d.userId as number;
  return job;
}
