import { TaskStatus } from '@semaphore/models';
import { toWireTime } from '../../wire';
import { DEFAULT_QUEUE, isHeld, parsePauseEntry, pauseEntry, queueOfTag, tagOfQueue } from '../task-queue/queue-pause';

/** How many tasks of a queue (or of a project in it) are in each state. */
export interface QueueCounts {
  /** `waiting` tasks not admitted yet (the admission queue). */
  waiting: number;
  /** `waiting` tasks admitted and released to the BullMQ queue, not claimed by a runner yet. */
  admitted: number;
  starting: number;
  running: number;
  waiting_confirmation: number;
  confirmed: number;
  stopping: number;
  /** Tasks that ended in `error` in the last 24 hours. */
  failed_24h: number;
}

export interface QueueProjectView {
  project_id: number;
  /** This project's tasks in this queue are held back (the queue, or the project in it, is paused). */
  paused: boolean;
  counts: QueueCounts;
}

export interface QueueView {
  /** `tasks` (untagged) or the runner tag. */
  name: string;
  runner_tag: string | null;
  /** The tasks this view shows are held back: the whole queue is paused, or (project view) the project in it. */
  paused: boolean;
  /** The whole queue is paused (by an administrator). */
  paused_queue: boolean;
  /** Projects paused in this queue (a project view lists at most its own). */
  paused_projects: number[];
  counts: QueueCounts;
  projects: QueueProjectView[];
}

export interface QueuesOverview {
  queues: QueueView[];
  /** Per project, over every queue. */
  projects: Array<{ project_id: number; counts: QueueCounts }>;
  totals: QueueCounts;
}

/** An unfinished task as the overview needs it. */
export interface QueueTaskRow {
  id: number;
  projectId: number;
  templateId: number;
  status: TaskStatus;
  runnerTag: string | null;
  created: Date;
}

export interface FailedCount {
  runnerTag: string | null;
  projectId: number;
  count: number;
}

export interface OverviewInput {
  /** Null: the administrators' view of every project; else only this project is shown. */
  projectId: number | null;
  unfinished: QueueTaskRow[];
  failed: FailedCount[];
  /** Admitted task ids (TaskStateStore). */
  admitted: ReadonlySet<number>;
  pauseEntries: string[];
  /** Runner tags that templates, inventories or runners use (queues that exist even when empty). */
  configuredTags: string[];
}

const STATUS_COUNTS: Partial<Record<TaskStatus, keyof QueueCounts>> = {
  [TaskStatus.Starting]: 'starting',
  [TaskStatus.Running]: 'running',
  [TaskStatus.WaitingConfirmation]: 'waiting_confirmation',
  [TaskStatus.Confirmed]: 'confirmed',
  [TaskStatus.Stopping]: 'stopping',
};

export function emptyCounts(): QueueCounts {
  return {
    waiting: 0,
    admitted: 0,
    starting: 0,
    running: 0,
    waiting_confirmation: 0,
    confirmed: 0,
    stopping: 0,
    failed_24h: 0,
  };
}

/** The counter an unfinished task adds to. */
export function countKey(row: QueueTaskRow, admitted: ReadonlySet<number>): keyof QueueCounts | null {
  if (row.status === TaskStatus.Waiting) return admitted.has(row.id) ? 'admitted' : 'waiting';
  return STATUS_COUNTS[row.status] ?? null;
}

/** Counts per queue name and project. */
type CountTable = Map<string, Map<number, QueueCounts>>;

function addCount(table: CountTable, queue: string, projectId: number, key: keyof QueueCounts, n: number): void {
  let projects = table.get(queue);
  if (!projects) table.set(queue, (projects = new Map()));
  let counts = projects.get(projectId);
  if (!counts) projects.set(projectId, (counts = emptyCounts()));
  counts[key] += n;
}

/** Adds `counts` into `into` and returns it. */
function addInto(into: QueueCounts, counts: QueueCounts): QueueCounts {
  for (const key of Object.keys(into) as Array<keyof QueueCounts>) into[key] += counts[key];
  return into;
}

function countTable(input: OverviewInput): CountTable {
  const table: CountTable = new Map();
  for (const row of input.unfinished) {
    const key = countKey(row, input.admitted);
    if (key) addCount(table, queueOfTag(row.runnerTag), row.projectId, key, 1);
  }
  for (const f of input.failed) addCount(table, queueOfTag(f.runnerTag), f.projectId, 'failed_24h', f.count);
  return table;
}

/**
 * Counts per queue, per project in each queue and per project overall, with the pause flags. The queues listed are
 * `tasks`, the configured tags, the queues with tasks and the paused ones. The caller passes only the rows of the
 * view (a project's own tasks); pause entries of other projects are left out of a project view here.
 */
export function buildOverview(input: OverviewInput): QueuesOverview {
  const table = countTable(input);
  const pauseSet = new Set(input.pauseEntries);
  const visible = input.pauseEntries
    .map(parsePauseEntry)
    .filter((e) => e !== null)
    .filter((e) => input.projectId === null || e.projectId === input.projectId);
  const names = new Set([
    DEFAULT_QUEUE,
    ...input.configuredTags,
    ...table.keys(),
    ...visible.map((e) => queueOfTag(e.tag)),
  ]);

  const queues = [...names].sort(queueOrder).map((name): QueueView => {
    const tag = tagOfQueue(name);
    const projects = [...(table.get(name) ?? [])]
      .sort(([a], [b]) => a - b)
      .map(([projectId, counts]) => ({ project_id: projectId, paused: isHeld(pauseSet, tag, projectId), counts }));
    const pausedQueue = pauseSet.has(pauseEntry(tag, null));
    const pausedProjects = visible
      .filter((e) => e.projectId !== null && queueOfTag(e.tag) === name)
      .map((e) => e.projectId as number)
      .sort((a, b) => a - b);
    return {
      name,
      runner_tag: tag,
      paused: pausedQueue || (input.projectId !== null && pausedProjects.includes(input.projectId)),
      paused_queue: pausedQueue,
      paused_projects: pausedProjects,
      counts: projects.reduce((all, p) => addInto(all, p.counts), emptyCounts()),
      projects,
    };
  });

  const perProject = new Map<number, QueueCounts>();
  for (const queue of queues) {
    for (const p of queue.projects) {
      let total = perProject.get(p.project_id);
      if (!total) perProject.set(p.project_id, (total = emptyCounts()));
      addInto(total, p.counts);
    }
  }
  return {
    queues,
    projects: [...perProject]
      .sort(([a], [b]) => a - b)
      .map(([projectId, counts]) => ({ project_id: projectId, counts })),
    totals: queues.reduce((all, q) => addInto(all, q.counts), emptyCounts()),
  };
}

/** `tasks` first, then the tags alphabetically. */
function queueOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === DEFAULT_QUEUE) return -1;
  if (b === DEFAULT_QUEUE) return 1;
  return a.localeCompare(b);
}

/** An entry of `GET .../queues/{queue}/tasks`. */
export interface QueuedTaskView {
  /** 1-based place in the order the dispatcher considers the tasks. */
  position: number;
  id: number;
  project_id: number;
  template_id: number;
  status: TaskStatus;
  created: string;
  /** `admitted`: released to the BullMQ queue, a runner takes it next; `waiting`: in the admission queue. */
  state: 'admitted' | 'waiting';
  /** Held back by a pause (it keeps its position). */
  paused: boolean;
}

/**
 * The queued (`waiting`) tasks of one queue in dispatch order: the admitted ones first (already released, runners take
 * them in release order, which follows task ids), then the admission queue in FIFO order (task id, the score of the
 * waiting list the admission script walks; limits and the one-per-template rule only decide which of them go first
 * when a slot frees, never reorder a template's tasks).
 */
export function queuedTasks(
  rows: QueueTaskRow[],
  admitted: ReadonlySet<number>,
  pauseEntries: string[],
  limit: number,
): QueuedTaskView[] {
  const pauseSet = new Set(pauseEntries);
  const waiting = rows.filter((r) => r.status === TaskStatus.Waiting).sort((a, b) => a.id - b.id);
  const ordered = [...waiting.filter((r) => admitted.has(r.id)), ...waiting.filter((r) => !admitted.has(r.id))];
  return ordered.slice(0, limit).map((r, i) => ({
    position: i + 1,
    id: r.id,
    project_id: r.projectId,
    template_id: r.templateId,
    status: r.status,
    created: toWireTime(r.created),
    state: admitted.has(r.id) ? 'admitted' : 'waiting',
    paused: isHeld(pauseSet, r.runnerTag, r.projectId),
  }));
}
