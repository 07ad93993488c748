import { TaskStatus, type TaskEvent, type TaskEventBatch } from '@semaphore/models';
import { applyRunnerBatch, newChangeSet, type TaskRow } from './task-event-apply';

/** The status reports of a terraform/tofu task, interleaved with the api's own confirm / reject. */
const row = (status: TaskStatus, over: Partial<TaskRow> = {}): TaskRow => ({
  id: 7,
  projectId: 1,
  templateId: 2,
  status,
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

const batch = (events: TaskEvent[]): TaskEventBatch => ({
  source: 'runner',
  taskId: 7,
  projectId: 1,
  templateId: 2,
  runnerId: 3,
  gen: 4,
  events,
});

const status = (s: TaskStatus, time: string): TaskEvent => ({ type: 'status', status: s, time });

describe('runner reports of a terraform task', () => {
  it('running -> waiting_confirmation, (api: confirmed), running -> success', () => {
    const planned = newChangeSet(row(TaskStatus.Starting));
    applyRunnerBatch(
      planned,
      batch([
        status(TaskStatus.Running, '2024-10-25T00:00:01Z'),
        status(TaskStatus.WaitingConfirmation, '2024-10-25T00:00:02Z'),
      ]),
      new Date(),
    );
    expect(planned.row).toMatchObject({ status: TaskStatus.WaitingConfirmation, end: null });
    const start = planned.row.start;
    expect(start).toEqual(new Date('2024-10-25T00:00:01Z'));

    // The api moved it to `confirmed`; the runner reports the apply, then the result.
    const applied = newChangeSet({ ...planned.row, status: TaskStatus.Confirmed });
    applyRunnerBatch(applied, batch([status(TaskStatus.Running, '2024-10-25T00:01:00Z')]), new Date());
    expect(applied.row).toMatchObject({ status: TaskStatus.Running, start });
    applyRunnerBatch(applied, batch([status(TaskStatus.Success, '2024-10-25T00:01:05Z')]), new Date());
    expect(applied.row).toMatchObject({ status: TaskStatus.Success, end: new Date('2024-10-25T00:01:05Z') });
    expect(applied.statusChanged).toBe(true);
  });

  it('rejected by the api: the runner final report and last lines change no status, start or end', () => {
    const end = new Date('2024-10-25T00:00:30Z');
    const set = newChangeSet(row(TaskStatus.Rejected, { start: new Date(1), end }));
    applyRunnerBatch(
      set,
      batch([
        { type: 'log', seq: 2, time: '2024-10-25T00:00:31Z', output: 'The plan was rejected: nothing applied' },
        status(TaskStatus.Rejected, '2024-10-25T00:00:31Z'),
      ]),
      new Date(),
    );
    expect(set.row).toMatchObject({ status: TaskStatus.Rejected, start: new Date(1), end });
    expect(set.statusChanged).toBe(false);
    expect(set.lines.map((l) => l.output)).toEqual(['The plan was rejected: nothing applied']);
  });

  it("a late `waiting_confirmation` does not undo the api's `confirmed`", () => {
    const set = newChangeSet(row(TaskStatus.Confirmed));
    applyRunnerBatch(set, batch([status(TaskStatus.WaitingConfirmation, '2024-10-25T00:00:02Z')]), new Date());
    expect(set.row.status).toBe(TaskStatus.Confirmed);
  });
});
