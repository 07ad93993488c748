import type { Alert } from '../alert';

/** The Markdown text of DingTalk and Gotify messages: result line, author, version (when set) and the task link. */
export function markdownText(alert: Alert): string {
  const lines = [`execution #${alert.task.id}, status: ${alert.task.result}!`, '', `- Author: ${alert.author}`];
  if (alert.task.version) lines.push(`- Version: ${alert.task.version}`);
  if (alert.task.desc) lines.push(`- Message: ${alert.task.desc}`);
  lines.push(`- [Task #${alert.task.id}](${alert.task.url})`);
  return lines.join('\n');
}
