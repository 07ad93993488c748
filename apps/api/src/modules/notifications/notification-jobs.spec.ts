import { TaskStatus } from '@semaphore/models';
import { notificationJobId, parseNotificationJob } from './notification-jobs';

describe('notification jobs', () => {
  it('have one deterministic id per task, status, channel (and e-mail recipient)', () => {
    expect(notificationJobId({ taskId: 5, status: TaskStatus.Error, channel: 'slack' })).toBe('alert-5-error-slack');
    expect(notificationJobId({ taskId: 5, status: TaskStatus.Error, channel: 'email', userId: 9 })).toBe(
      'alert-5-error-email-9',
    );
  });

  it('parse only valid data back from Redis', () => {
    expect(parseNotificationJob({ taskId: 5, status: 'success', channel: 'gotify' })).toEqual({
      taskId: 5,
      status: TaskStatus.Success,
      channel: 'gotify',
    });
    expect(parseNotificationJob({ taskId: 5, status: 'error', channel: 'email', userId: 2 })).toEqual({
      taskId: 5,
      status: TaskStatus.Error,
      channel: 'email',
      userId: 2,
    });
    for (const bad of [
      null,
      'x',
      { taskId: '5', status: 'error', channel: 'slack' },
      { taskId: 5, status: 'running', channel: 'slack' },
      { taskId: 5, status: 'error', channel: 'discord' },
      { taskId: 5, status: 'error', channel: 'email' },
      { taskId: 5, status: 'error', channel: 'slack', userId: 3 },
      { taskId: -1, status: 'error', channel: 'slack' },
    ]) {
      expect(parseNotificationJob(bad)).toBeNull();
    }
  });
});
