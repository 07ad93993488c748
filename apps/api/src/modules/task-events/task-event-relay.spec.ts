import type { TaskEventBatch } from '@semaphore/models';
import { relayBatches, YIELD_EVERY_FRAMES, type RelayPorts } from './task-event-relay';
import type { WsPrincipal } from './ws-authenticator';

const TIME = '2026-12-04T10:00:00.000Z';

function runnerBatch(taskId: number, firstSeq: number, lines: number, gen = 1): TaskEventBatch {
  return {
    source: 'runner',
    taskId,
    projectId: 1,
    templateId: 2,
    runnerId: 5,
    gen,
    events: Array.from({ length: lines }, (_, i) => ({
      type: 'log' as const,
      seq: firstSeq + i,
      time: TIME,
      output: `line ${firstSeq + i}`,
    })),
  };
}

function ports(sent: Array<{ frames: string[]; mayReceive: (p: WsPrincipal) => boolean }>): RelayPorts {
  return {
    claimOf: (batch) => Promise.resolve(batch.gen === 1 ? { projectId: 1, templateId: 2 } : null),
    members: () => Promise.resolve(new Set([7])),
    send: (frames, mayReceive) => sent.push({ frames, mayReceive }),
  };
}

const principal = (userId: number, admin = false) => ({ userId, admin }) as WsPrincipal;

describe('relayBatches', () => {
  it('sends every line in order to members and admins only, and skips batches of an old claim', async () => {
    const sent: Array<{ frames: string[]; mayReceive: (p: WsPrincipal) => boolean }> = [];
    await relayBatches([runnerBatch(9, 1, 3), runnerBatch(9, 4, 2, 0), runnerBatch(9, 4, 2)], ports(sent));
    const outputs = sent.flatMap((s) => s.frames.map((f) => (JSON.parse(f) as { output: string }).output));
    expect(outputs).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    expect(sent[0].mayReceive(principal(7))).toBe(true);
    expect(sent[0].mayReceive(principal(8))).toBe(false);
    expect(sent[0].mayReceive(principal(8, true))).toBe(true);
  });

  it('lets other work of the process run while relaying a huge read', async () => {
    const sent: Array<{ frames: string[]; ranBefore: boolean }> = [];
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = true));
    const batches = Array.from({ length: 50 }, (_, i) => runnerBatch(9, 1 + i * 200, 200));
    await relayBatches(batches, {
      ...ports([]),
      send: (frames) => sent.push({ frames, ranBefore: otherWorkRan }),
    });
    expect(sent.reduce((n, s) => n + s.frames.length, 0)).toBe(50 * 200);
    expect(sent[0].ranBefore).toBe(false);
    // After the first YIELD_EVERY_FRAMES frames the relay yielded, and the other work got its turn.
    const firstAfterYield = Math.ceil(YIELD_EVERY_FRAMES / 200);
    expect(sent[firstAfterYield].ranBefore).toBe(true);
  });
});
