import { escapeHtml, type Alert } from '../alert';

export interface EmailMessage {
  subject: string;
  html: string;
}

/** Upstream `email.tmpl` and subject; values are HTML-escaped (upstream's text/template does not). */
export function emailMessage(alert: Alert): EmailMessage {
  return {
    subject: `Task '${alert.name}' failed`,
    html:
      `<p>Task ${escapeHtml(alert.task.id)} with template '${escapeHtml(alert.name)}' has failed!</p>\n` +
      `<p>Task Log: <a href="${escapeHtml(alert.task.url)}">Link</a></p>\n`,
  };
}
