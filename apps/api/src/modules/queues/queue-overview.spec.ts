import { TaskStatus } from '@semaphore/models';
import { buildOverview, emptyCounts, type OverviewInput, queuedTasks, type QueueTaskRow } from './queue-overview';

const created = new Date('2026-01-02T03:04:05Z');

function row(id: number, over: Partial<QueueTaskRow> = {}): QueueTaskRow {
  return { id, projectId: 1, templateId: 1, status: TaskStatus.Waiting, runnerTag: null, created, ...over };
}

function input(over: Partial<OverviewInput> = {}): OverviewInput {
  return {
    projectId: null,
    unfinished: [],
    failed: [],
    admitted: new Set(),
    pauseEntries: [],
    configuredTags: [],
    ...over,
  };
}

describe('buildOverview', () => {
  it('always lists `tasks`, then configured, used and paused queues alphabetically', () => {
    const overview = buildOverview(
      input({
        unfinished: [row(1, { runnerTag: 'zeta' })],
        configuredTags: ['beta'],
        pauseEntries: ['tasks-alpha'],
      }),
    );
    expect(overview.queues.map((q) => q.name)).toEqual(['tasks', 'alpha', 'beta', 'zeta']);
    expect(overview.queues.map((q) => q.runner_tag)).toEqual([null, 'alpha', 'beta', 'zeta']);
    expect(overview.queues[0].counts).toEqual(emptyCounts());
  });

  it('splits waiting tasks into the admission queue and admitted ones, and counts the other states', () => {
    const overview = buildOverview(
      input({
        unfinished: [
          row(1),
          row(2),
          row(3, { status: TaskStatus.Starting }),
          row(4, { status: TaskStatus.Running, projectId: 2 }),
          row(5, { status: TaskStatus.WaitingConfirmation, projectId: 2 }),
          row(6, { status: TaskStatus.Confirmed }),
          row(7, { status: TaskStatus.Stopping }),
          row(8, { runnerTag: 'gpu', projectId: 2 }),
        ],
        admitted: new Set([2, 8]),
        failed: [
          { runnerTag: null, projectId: 1, count: 3 },
          { runnerTag: 'gpu', projectId: 3, count: 1 },
        ],
      }),
    );
    const [tasks, gpu] = overview.queues;
    expect(tasks.counts).toEqual({
      waiting: 1,
      admitted: 1,
      starting: 1,
      running: 1,
      waiting_confirmation: 1,
      confirmed: 1,
      stopping: 1,
      failed_24h: 3,
    });
    expect(tasks.projects.map((p) => [p.project_id, p.counts.waiting, p.counts.running])).toEqual([
      [1, 1, 0],
      [2, 0, 1],
    ]);
    expect(gpu.counts).toMatchObject({ admitted: 1, failed_24h: 1, waiting: 0 });
    expect(overview.projects.map((p) => [p.project_id, p.counts.admitted, p.counts.failed_24h])).toEqual([
      [1, 1, 3],
      [2, 1, 0],
      [3, 0, 1],
    ]);
    expect(overview.totals).toMatchObject({ waiting: 1, admitted: 2, running: 1, failed_24h: 4 });
  });

  it('flags queue-wide and per-project pauses', () => {
    const overview = buildOverview(
      input({
        unfinished: [row(1, { runnerTag: 'gpu', projectId: 1 }), row(2, { runnerTag: 'gpu', projectId: 2 })],
        pauseEntries: ['tasks-gpu:2', 'tasks'],
      }),
    );
    const [tasks, gpu] = overview.queues;
    expect(tasks).toMatchObject({ paused: true, paused_queue: true, paused_projects: [] });
    expect(gpu).toMatchObject({ paused: false, paused_queue: false, paused_projects: [2] });
    expect(gpu.projects.map((p) => [p.project_id, p.paused])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it("a project view shows only its own pause entries, and the queue's `paused` for it", () => {
    const overview = buildOverview(
      input({
        projectId: 2,
        unfinished: [row(2, { runnerTag: 'gpu', projectId: 2 })],
        pauseEntries: ['tasks-gpu:2', 'tasks-gpu:5', 'tasks-other:5', 'tasks-unused'],
      }),
    );
    expect(overview.queues.map((q) => q.name)).toEqual(['tasks', 'gpu']);
    expect(overview.queues[1]).toMatchObject({ paused: true, paused_queue: false, paused_projects: [2] });
    expect(JSON.stringify(overview)).not.toMatch(/\b5\b/);
  });

  it('ignores pause entries it cannot read', () => {
    expect(buildOverview(input({ pauseEntries: ['junk', 'tasks-BAD'] })).queues.map((q) => q.name)).toEqual(['tasks']);
  });
});

describe('queuedTasks', () => {
  it('lists admitted tasks first, then the admission queue in FIFO order, with 1-based positions', () => {
    const rows = [row(9), row(3, { templateId: 2 }), row(5), row(4, { status: TaskStatus.Running }), row(7)];
    const list = queuedTasks(rows, new Set([5, 4]), [], 100);
    expect(list.map((t) => [t.position, t.id, t.state])).toEqual([
      [1, 5, 'admitted'],
      [2, 3, 'waiting'],
      [3, 7, 'waiting'],
      [4, 9, 'waiting'],
    ]);
    expect(list[1]).toEqual({
      position: 2,
      id: 3,
      project_id: 1,
      template_id: 2,
      status: 'waiting',
      created: '2026-01-02T03:04:05Z',
      state: 'waiting',
      paused: false,
    });
  });

  it('marks held tasks and keeps only the head of the queue', () => {
    const rows = [row(1, { projectId: 1 }), row(2, { projectId: 2 }), row(3, { projectId: 1 })];
    const list = queuedTasks(rows, new Set(), ['tasks:2'], 2);
    expect(list.map((t) => [t.id, t.paused])).toEqual([
      [1, false],
      [2, true],
    ]);
  });
});
