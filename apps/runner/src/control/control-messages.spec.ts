import { RunningTask, type StopReason } from '../jobs/running-tasks';
import { applyControl, controlKeyAction, messageAction, parseControlMessage } from './control-messages';

describe('control messages', () => {
  it.each([
    ['{"type":"stop","taskId":7}', { type: 'stop', taskId: 7, force: false }],
    ['{"type":"stop","taskId":7,"force":true}', { type: 'stop', taskId: 7, force: true }],
    ['{"type":"confirm","taskId":7}', { type: 'confirm', taskId: 7 }],
    ['{"type":"reject","taskId":7,"extra":1}', { type: 'reject', taskId: 7 }],
  ])('parses %s', (raw, expected) => {
    expect(parseControlMessage(raw)).toEqual(expected);
  });

  it.each([
    'not json',
    'null',
    '[]',
    '{"type":"confirm"}',
    '{"type":"confirm","taskId":"7"}',
    '{"type":"confirm","taskId":0}',
    '{"type":"confirm","taskId":1.5}',
    '{"type":"approve","taskId":7}',
  ])('refuses %s', (raw) => {
    expect(parseControlMessage(raw)).toBeNull();
  });

  it('maps messages and durable key values to actions', () => {
    expect(messageAction({ type: 'stop', taskId: 1, force: false })).toEqual({ type: 'stop', reason: 'stop' });
    expect(messageAction({ type: 'stop', taskId: 1, force: true })).toEqual({ type: 'stop', reason: 'force-stop' });
    expect(messageAction({ type: 'confirm', taskId: 1 })).toEqual({ type: 'decide', decision: 'confirm' });
    expect(messageAction({ type: 'reject', taskId: 1 })).toEqual({ type: 'decide', decision: 'reject' });
    expect(['stop', 'force-stop', 'confirm', 'reject', 'other', null].map(controlKeyAction)).toEqual([
      { type: 'stop', reason: 'stop' },
      { type: 'stop', reason: 'force-stop' },
      { type: 'decide', decision: 'confirm' },
      { type: 'decide', decision: 'reject' },
      null,
      null,
    ]);
  });
});

describe('applyControl', () => {
  function task() {
    const stops: StopReason[] = [];
    return { stops, task: new RunningTask(1, (r) => stops.push(r)) };
  }

  it('a confirm that arrives before the job waits reaches it; repeats (heartbeats) are not news', async () => {
    const { task: t } = task();
    expect(applyControl(t, { type: 'decide', decision: 'confirm' })).toBe(true);
    expect(applyControl(t, { type: 'decide', decision: 'confirm' })).toBe(false);
    await expect(t.confirmation.wait()).resolves.toBe('confirm');
  });

  it('a reject reaches a waiting job', async () => {
    const { task: t } = task();
    const waiting = t.confirmation.wait();
    expect(applyControl(t, { type: 'decide', decision: 'reject' })).toBe(true);
    await expect(waiting).resolves.toBe('reject');
  });

  it('a stop ends a wait for confirmation; a later confirm changes nothing', async () => {
    const { task: t, stops } = task();
    const waiting = t.confirmation.wait();
    expect(applyControl(t, { type: 'stop', reason: 'stop' })).toBe(true);
    expect(applyControl(t, { type: 'stop', reason: 'force-stop' })).toBe(false);
    expect(applyControl(t, { type: 'decide', decision: 'confirm' })).toBe(false);
    await expect(waiting).resolves.toBe('stop');
    expect(stops).toEqual(['stop']);
    expect(t.stopReason).toBe('stop');
  });
});
