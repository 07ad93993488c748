import { TaskStatus, type TaskEventBatch } from '@semaphore/models';
import { applyRunnerBatch, fencingViolation, newChangeSet, type TaskRow } from './task-event-apply';
import { compareStreamIds, parseBatch, parseEntries } from './task-event-batch';
import { wsMessagesOf } from './task-ws-messages';

const row = (over: Partial<TaskRow> = {}): TaskRow => ({
  id: 7,
  projectId: 1,
  templateId: 2,
  status: TaskStatus.Starting,
  runnerId: 3,
  claimGeneration: 4,
  lastSeq: 1,
  start: null,
  end: null,
  version: null,
  errorCode: null,
  commitHash: null,
  commitMessage: '',
  progress: null,
  ...over,
});

const batch = (events: TaskEventBatch['events'], over: Partial<TaskEventBatch> = {}): TaskEventBatch => ({
  source: 'runner',
  taskId: 7,
  projectId: 1,
  templateId: 2,
  runnerId: 3,
  gen: 4,
  events,
  ...over,
});

const T1 = '2024-10-25T00:00:01.5Z';
const T2 = '2024-10-25T00:00:09Z';

describe('fencingViolation', () => {
  it('accepts the current runner and generation only', () => {
    expect(fencingViolation(row(), batch([]))).toBeNull();
    expect(fencingViolation(row(), batch([], { gen: 3 }))).toMatch(/stale claim/);
    expect(fencingViolation(row(), batch([], { runnerId: 9 }))).toMatch(/stale claim/);
    expect(fencingViolation(row({ runnerId: null }), batch([]))).toMatch(/stale claim/);
    expect(fencingViolation(undefined, batch([]))).toBe('unknown task');
  });
});

describe('applyRunnerBatch', () => {
  it('collects lines, sets start on running and end + error code on a terminal status, records the commit', () => {
    const set = newChangeSet(row());
    applyRunnerBatch(
      set,
      batch([
        { type: 'status', status: TaskStatus.Running, time: T1 },
        { type: 'commit', hash: 'abc', message: 'msg' },
        { type: 'log', seq: 2, time: T1, output: 'a' },
        { type: 'log', seq: 3, time: 'garbage', output: 'b' },
        { type: 'status', status: TaskStatus.Error, time: T2, errorCode: 'EXIT_CODE' },
        { type: 'status', status: TaskStatus.Success, time: T2 },
      ]),
      new Date(0),
    );
    expect(set.row).toMatchObject({
      status: TaskStatus.Error,
      start: new Date(T1),
      end: new Date(T2),
      errorCode: 'EXIT_CODE',
      commitHash: 'abc',
      commitMessage: 'msg',
    });
    expect(set.lines.map((l) => [l.seq, l.time.getTime(), l.output])).toEqual([
      [2, new Date(T1).getTime(), 'a'],
      [3, 0, 'b'],
    ]);
    expect(set.maxSeq).toBe(3);
    expect(set.statusChanged).toBe(true);
  });

  it('keeps the first start and ignores guarded transitions', () => {
    const set = newChangeSet(row({ status: TaskStatus.Stopping, start: new Date(5) }));
    applyRunnerBatch(set, batch([{ type: 'status', status: TaskStatus.Running, time: T1 }]), new Date());
    expect(set.statusChanged).toBe(false);
    expect(set.row.start).toEqual(new Date(5));
  });
});

describe('parseBatch / parseEntries', () => {
  it('accepts a valid batch and strips NUL characters', () => {
    const parsed = parseBatch(JSON.stringify(batch([{ type: 'log', seq: 1, time: T1, output: 'a\u0000b' }])));
    expect(parsed).toMatchObject({ events: [{ output: 'ab' }] });
  });

  it.each([
    ['not json', '{'],
    ['bad source', JSON.stringify({ ...batch([]), source: 'x' })],
    ['bad seq', JSON.stringify(batch([{ type: 'log', seq: 0, time: T1, output: 'a' }]))],
    ['bad status', JSON.stringify(batch([{ type: 'status', status: 'nope' as TaskStatus, time: T1 }]))],
    ['unknown event', JSON.stringify({ ...batch([]), events: [{ type: 'rm -rf' }] })],
  ])('refuses %s', (_what, json) => {
    expect(typeof parseBatch(json)).toBe('string');
  });

  it('marks deleted and fieldless entries invalid', () => {
    const entries = parseEntries([
      ['1-0', null],
      ['2-0', ['x', '{}']],
    ]);
    expect(entries.map((e) => e.batch)).toEqual([null, null]);
  });

  it('compares stream ids numerically', () => {
    expect(compareStreamIds('10-0', '9-5')).toBe(1);
    expect(compareStreamIds('9-10', '9-9')).toBe(1);
    expect(compareStreamIds('9-1', '9-1')).toBe(0);
    expect(compareStreamIds('1-0', '2-0')).toBe(-1);
  });
});

describe('wsMessagesOf', () => {
  it('builds log and progress messages from runner batches with the exact keys', () => {
    const messages = wsMessagesOf(
      batch([
        { type: 'log', seq: 5, time: T1, output: 'x' },
        { type: 'status', status: TaskStatus.Running, time: T1 },
        { type: 'progress', time: T1, bytesDone: 1 },
      ]),
      1,
      2,
    );
    expect(messages.map((m) => Object.keys(m))).toEqual([
      ['type', 'project_id', 'task_id', 'time', 'output', 'seq'],
      [
        'type',
        'project_id',
        'task_id',
        'time',
        'bytes_done',
        'bytes_total',
        'files_done',
        'files_total',
        'rate',
        'eta',
        'paused',
      ],
    ]);
  });

  it('keeps the latest progress of a batch on the task, in API names', () => {
    const set = newChangeSet(row({ status: TaskStatus.Running }));
    applyRunnerBatch(
      set,
      batch([
        { type: 'progress', time: T1, bytesDone: 1, bytesTotal: 10 },
        {
          type: 'progress',
          time: T2,
          bytesDone: 5,
          bytesTotal: 10,
          filesDone: 0,
          filesTotal: 1,
          rate: 2,
          eta: 2.5,
          paused: true,
        },
      ]),
      new Date(T2),
    );
    expect(set.fieldsChanged).toBe(true);
    expect(set.row.progress).toEqual({
      time: '2024-10-25T00:00:09.000Z',
      bytes_done: 5,
      bytes_total: 10,
      files_done: 0,
      files_total: 1,
      rate: 2,
      eta: 2.5,
      paused: true,
    });
  });

  it('refuses progress events with non-numeric counts or a non-boolean paused flag', () => {
    const entry = (event: Record<string, unknown>) =>
      parseBatch(JSON.stringify({ ...batch([]), events: [{ type: 'progress', time: T1, ...event }] }));
    expect(entry({ bytesDone: 'lots' })).toEqual(expect.any(String));
    expect(entry({ paused: 'yes' })).toEqual(expect.any(String));
    expect(entry({ rate: 3, paused: false })).toMatchObject({ events: [{ type: 'progress', rate: 3, paused: false }] });
  });

  it('builds update messages from api batches only', () => {
    const update = { type: 'update' as const, status: TaskStatus.Running, start: T1, end: null, version: null };
    expect(wsMessagesOf(batch([update]), 1, 2)).toEqual([]);
    const [m] = wsMessagesOf(batch([update], { source: 'api', runnerId: 0, gen: 0 }), 1, 2);
    expect(Object.keys(m)).toEqual([
      'type',
      'project_id',
      'task_id',
      'template_id',
      'status',
      'start',
      'end',
      'version',
    ]);
  });
});
