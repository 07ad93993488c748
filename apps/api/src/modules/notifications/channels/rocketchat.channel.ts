import { TaskStatus } from '@semaphore/models';
import type { Alert } from '../alert';
import type { HttpChannel } from './channel';

export function rocketChatColor(status: TaskStatus): string {
  if (status === TaskStatus.Success) return '#00EE00';
  if (status === TaskStatus.Error) return '#EE0000';
  return '';
}

/** Upstream `rocketchat.tmpl`. */
export function rocketChatPayload(alert: Alert) {
  const text = `execution #${alert.task.id}, status: ${alert.task.result}!`;
  return {
    text,
    attachments: [
      { title: `Task: ${alert.name}`, title_link: alert.task.url, text, color: rocketChatColor(alert.status) },
    ],
  };
}

export const rocketChatChannel: HttpChannel = {
  name: 'rocketchat',
  enabled: (c) => c.rocketchat.enabled,
  message: (alert, c) => ({ url: new URL(c.rocketchat.url), body: rocketChatPayload(alert) }),
};
