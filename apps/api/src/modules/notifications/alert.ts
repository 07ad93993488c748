import { TaskStatus } from '@semaphore/models';

/** The statuses that raise alerts (upstream `IsNotifiable`). */
export const ALERT_STATUSES: readonly TaskStatus[] = [
  TaskStatus.Success,
  TaskStatus.Error,
  TaskStatus.WaitingConfirmation,
];

export function isAlertStatus(status: string): status is TaskStatus {
  return (ALERT_STATUSES as readonly string[]).includes(status);
}

/**
 * What every alert says about a task (upstream's template data, reference 6.3): `name` = template name, `author` =
 * the user's name or `—`, and the task's id, link, result, version and message as text.
 */
export interface Alert {
  name: string;
  author: string;
  status: TaskStatus;
  task: { id: string; url: string; result: string; version: string; desc: string };
  /** For our webhook body and Telegram's chat choice. */
  taskId: number;
  templateId: number;
  project: { id: number; name: string; alertChat: string | null };
}

/** `❌ERROR`, `✅SUCCESS`, `⚠️WAITING_CONFIRMATION`, `⏹️STOPPED`; other statuses upper-case without an emoji. */
export function formatResult(status: TaskStatus): string {
  const emoji: Partial<Record<TaskStatus, string>> = {
    [TaskStatus.Error]: '❌',
    [TaskStatus.Success]: '✅',
    [TaskStatus.Stopped]: '⏹️',
    [TaskStatus.WaitingConfirmation]: '⚠️',
  };
  return `${emoji[status] ?? ''}${status.toUpperCase()}`;
}

/** `<web_root>/project/<p>/templates/<t>?t=<task>` (web root without its trailing slash). */
export function taskUrl(webRoot: string, projectId: number, templateId: number, taskId: number): string {
  return `${webRoot.replace(/\/+$/, '')}/project/${projectId}/templates/${templateId}?t=${taskId}`;
}

export interface AlertSource {
  webRoot: string;
  taskId: number;
  status: TaskStatus;
  message: string;
  /** The task's own version, else (build/deploy templates) the incoming build's as `build <v>`, else ''. */
  version: string;
  authorName: string | null;
  template: { id: number; name: string };
  project: { id: number; name: string; alertChat: string | null };
}

export function buildAlert(s: AlertSource): Alert {
  return {
    name: s.template.name,
    author: s.authorName ?? '—',
    status: s.status,
    task: {
      id: String(s.taskId),
      url: taskUrl(s.webRoot, s.project.id, s.template.id, s.taskId),
      result: formatResult(s.status),
      version: s.version,
      desc: s.message,
    },
    taskId: s.taskId,
    templateId: s.template.id,
    project: s.project,
  };
}

/** Escapes text for HTML bodies (e-mail, Telegram's HTML parse mode). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
