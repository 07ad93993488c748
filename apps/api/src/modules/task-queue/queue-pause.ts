import { RUNNER_TAG_PATTERN, taskQueueName } from '@semaphore/models';

/**
 * Queue names of the queue management API, and the entries of the pause set.
 *
 * In the API a queue is named by its runner tag, or `tasks` for untagged tasks (a runner tag spelled `tasks` is
 * therefore not addressable on its own). The pause set holds BullMQ queue names, which never collide: `tasks`,
 * `tasks-<tag>` for a whole queue, `<that>:<projectId>` for one project's tasks in it. The admission script
 * (task-state.lua.ts `PAUSED_FN`) applies the same rule as `isHeld`.
 */
export const DEFAULT_QUEUE = 'tasks';

/** `tasks` or a runner tag. */
export function isQueueName(value: string): boolean {
  return value === DEFAULT_QUEUE || RUNNER_TAG_PATTERN.test(value);
}

/** The API name of the queue of a runner tag. */
export function queueOfTag(tag: string | null): string {
  return tag || DEFAULT_QUEUE;
}

/** The runner tag of an API queue name (null for `tasks`). */
export function tagOfQueue(queue: string): string | null {
  return queue === DEFAULT_QUEUE ? null : queue;
}

/** The pause entry of a queue, or of one project's tasks in it. */
export function pauseEntry(tag: string | null, projectId: number | null): string {
  const queue = taskQueueName(tag);
  return projectId === null ? queue : `${queue}:${projectId}`;
}

export interface ParsedPauseEntry {
  tag: string | null;
  /** Null: the whole queue. */
  projectId: number | null;
}

/** Reads an entry of the pause set; null for anything that is not one (never written by this code). */
export function parsePauseEntry(entry: string): ParsedPauseEntry | null {
  const match = /^tasks(?:-([a-z0-9_-]{1,64}))?(?::([1-9]\d{0,9}))?$/.exec(entry);
  if (!match) return null;
  return { tag: match[1] ?? null, projectId: match[2] === undefined ? null : Number(match[2]) };
}

/** Whether a task of this runner tag and project is held back by the pause entries. */
export function isHeld(entries: ReadonlySet<string>, tag: string | null, projectId: number): boolean {
  if (entries.size === 0) return false;
  return entries.has(pauseEntry(tag, null)) || entries.has(pauseEntry(tag, projectId));
}
