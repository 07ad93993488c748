import type { Alert } from '../alert';
import type { HttpChannel } from './channel';

/** Upstream `microsoft-teams.tmpl`: a message with one Adaptive Card 1.4 attachment. */
export function microsoftTeamsPayload(alert: Alert) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: `Ansible Task Template Execution by: ${alert.author}` },
            {
              type: 'FactSet',
              facts: [
                { title: 'Task:', value: alert.name },
                { title: 'Status:', value: alert.task.result },
                { title: 'Task ID:', value: alert.task.id },
              ],
              separator: true,
            },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Task URL', url: alert.task.url }],
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}

export const microsoftTeamsChannel: HttpChannel = {
  name: 'microsoft_teams',
  enabled: (c) => c.microsoftTeams.enabled,
  message: (alert, c) => ({ url: new URL(c.microsoftTeams.url), body: microsoftTeamsPayload(alert) }),
};
