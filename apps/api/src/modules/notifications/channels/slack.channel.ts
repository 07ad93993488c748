import { TaskStatus } from '@semaphore/models';
import type { Alert } from '../alert';
import type { HttpChannel } from './channel';

export function slackColor(status: TaskStatus): string {
  if (status === TaskStatus.Success) return 'good';
  if (status === TaskStatus.Error) return 'danger';
  return '';
}

/** Upstream `slack.tmpl`: one attachment; the Version field only when the task has a version. */
export function slackPayload(alert: Alert) {
  const fields = [{ title: 'Author', value: alert.author, short: true }];
  if (alert.task.version) fields.push({ title: 'Version', value: alert.task.version, short: true });
  return {
    attachments: [
      {
        title: `Task: ${alert.name}`,
        title_link: alert.task.url,
        text: `execution #${alert.task.id}, status: ${alert.task.result}!`,
        color: slackColor(alert.status),
        mrkdwn_in: ['text'],
        fields,
      },
    ],
  };
}

export const slackChannel: HttpChannel = {
  name: 'slack',
  enabled: (c) => c.slack.enabled,
  message: (alert, c) => ({ url: new URL(c.slack.url), body: slackPayload(alert) }),
};
