import type { Alert } from '../alert';
import type { HttpChannel } from './channel';

/**
 * Our generic webhook (not upstream's): a stable JSON body for any receiver. Documented in README.md
 * ("Notifications").
 */
export function webhookPayload(alert: Alert) {
  return {
    event: 'task_status',
    task_id: alert.taskId,
    status: alert.status,
    result: alert.task.result,
    template: { id: alert.templateId, name: alert.name },
    project: { id: alert.project.id, name: alert.project.name },
    url: alert.task.url,
    author: alert.author,
    version: alert.task.version,
    message: alert.task.desc,
  };
}

export const webhookChannel: HttpChannel = {
  name: 'webhook',
  enabled: (c) => c.webhook.enabled,
  message: (alert, c) => ({ url: new URL(c.webhook.url), body: webhookPayload(alert) }),
};
