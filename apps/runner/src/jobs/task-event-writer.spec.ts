import { TaskStatus, type TaskEventBatch } from '@semaphore/models';
import { TaskEventWriter } from './task-event-writer';

const claim = { taskId: 7, projectId: 1, templateId: 2, runnerId: 3, gen: 4 };

describe('TaskEventWriter', () => {
  it('numbers lines from firstSeq and sends them in order, in batches of at most maxEvents', async () => {
    const batches: TaskEventBatch[] = [];
    const w = new TaskEventWriter(claim, 10, async (b) => void batches.push(b), { maxEvents: 3, flushMs: 10_000 });
    for (let i = 0; i < 7; i++) w.log(`line ${i}`);
    w.status(TaskStatus.Success);
    await w.flush();
    expect(batches.map((b) => b.events.length)).toEqual([3, 3, 2]);
    expect(batches.every((b) => b.source === 'runner' && b.runnerId === 3 && b.gen === 4 && b.taskId === 7)).toBe(true);
    const events = batches.flatMap((b) => b.events);
    expect(events.flatMap((e) => (e.type === 'log' ? [e.seq] : []))).toEqual([10, 11, 12, 13, 14, 15, 16]);
    expect(events.at(-1)).toMatchObject({ type: 'status', status: 'success' });
    expect(events[0]).toMatchObject({ output: 'line 0', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
  });

  it('flushes on its timer without being asked', async () => {
    const sent = new Promise<TaskEventBatch>((resolve) => {
      const w = new TaskEventWriter(claim, 1, async (b) => resolve(b), { flushMs: 5 });
      w.log('only');
    });
    expect((await sent).events).toHaveLength(1);
  });

  it('keeps the order when an append fails and is retried', async () => {
    const seqs: number[] = [];
    let failures = 2;
    const w = new TaskEventWriter(
      claim,
      1,
      async (b) => {
        if (failures-- > 0) throw new Error('redis down');
        b.events.forEach((e) => e.type === 'log' && seqs.push(e.seq));
      },
      { maxEvents: 2, flushMs: 10_000 },
    );
    for (let i = 0; i < 5; i++) w.log('x');
    await w.flush();
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives a batch up after retryForMs and reports it', async () => {
    const dropped: number[] = [];
    const w = new TaskEventWriter(
      claim,
      1,
      async () => {
        throw new Error('down');
      },
      { retryForMs: 20, onDropped: (_e, n) => dropped.push(n) },
    );
    w.log('a');
    w.commit('abc', 'msg');
    await w.flush();
    expect(dropped).toEqual([2]);
  });

  it('asks for room once maxBacklog events are undelivered, and gives it back when the stream takes them', async () => {
    let redisUp = false;
    let delivered = 0;
    const w = new TaskEventWriter(
      claim,
      1,
      async (b) => {
        if (!redisUp) throw new Error('redis down');
        delivered += b.events.length;
      },
      { maxEvents: 2, flushMs: 10_000, maxBacklog: 4 },
    );
    for (let i = 0; i < 3; i++) w.log(`line ${i}`);
    expect(w.room()).toBeUndefined();
    w.log('line 3');
    const room = w.room();
    expect(room).toBeInstanceOf(Promise);
    let roomy = false;
    void room?.then(() => (roomy = true));
    await new Promise((r) => setTimeout(r, 120)); // a few failed retries
    expect(roomy).toBe(false);
    redisUp = true;
    await room;
    expect(w.room()).toBeUndefined();
    await w.flush();
    expect(delivered).toBe(4);
  });
});
