import type { Alert } from '../alert';
import type { HttpChannel } from './channel';
import { markdownText } from './markdown-text';

/** Upstream `gotify.tmpl`'s envelope: title, Markdown message, and the display extra that renders it. */
export function gotifyPayload(alert: Alert) {
  return {
    title: `Task: ${alert.name}`,
    message: markdownText(alert),
    extras: { 'client::display': { contentType: 'text/markdown' } },
  };
}

/** `<gotify_url>/message?token=<gotify_token>`. */
export const gotifyChannel: HttpChannel = {
  name: 'gotify',
  enabled: (c) => c.gotify.enabled,
  message: (alert, c) => {
    const url = new URL(`${c.gotify.url}/message`);
    url.searchParams.set('token', c.gotify.token);
    return { url, body: gotifyPayload(alert) };
  },
};
