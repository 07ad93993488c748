import { TaskStatus } from '@semaphore/models';
import { canTransition, timesAfter } from './task-transition';

const S = TaskStatus;

describe('canTransition (reference §3.1 guard)', () => {
  it('ignores the same status', () => {
    for (const status of Object.values(S)) expect(canTransition(status, status)).toBe(false);
  });

  it('accepts nothing after stopped or rejected', () => {
    for (const to of Object.values(S)) {
      expect(canTransition(S.Stopped, to)).toBe(false);
      expect(canTransition(S.Rejected, to)).toBe(false);
    }
  });

  it('applies the upstream exceptions', () => {
    expect(canTransition(S.Confirmed, S.WaitingConfirmation)).toBe(false);
    expect(canTransition(S.Confirmed, S.Running)).toBe(true);
    expect(canTransition(S.Running, S.Waiting)).toBe(false);
    expect(canTransition(S.Running, S.Stopping)).toBe(true);
    expect(canTransition(S.Stopping, S.Running)).toBe(false);
    expect(canTransition(S.Stopping, S.Waiting)).toBe(false);
    expect(canTransition(S.Stopping, S.Stopped)).toBe(true);
    expect(canTransition(S.Stopping, S.Error)).toBe(true);
  });

  it('lets success and error be overwritten, as upstream', () => {
    expect(canTransition(S.Success, S.Error)).toBe(true);
    expect(canTransition(S.Error, S.Stopped)).toBe(true);
  });

  it('moves waiting anywhere', () => {
    expect(canTransition(S.Waiting, S.Starting)).toBe(true);
    expect(canTransition(S.Waiting, S.Stopped)).toBe(true);
  });
});

describe('timesAfter', () => {
  const now = new Date('2024-10-25T00:43:48Z');
  const earlier = new Date('2024-10-25T00:40:00Z');

  it('sets start when running and keeps an existing start', () => {
    expect(timesAfter(S.Running, { start: null, end: null }, now)).toEqual({ start: now, end: null });
    expect(timesAfter(S.Running, { start: earlier, end: null }, now)).toEqual({ start: earlier, end: null });
  });

  it('sets end on terminal statuses only', () => {
    expect(timesAfter(S.Stopped, { start: null, end: null }, now).end).toBe(now);
    expect(timesAfter(S.Rejected, { start: earlier, end: null }, now)).toEqual({ start: earlier, end: now });
    expect(timesAfter(S.Stopping, { start: earlier, end: null }, now).end).toBeNull();
    expect(timesAfter(S.Confirmed, { start: earlier, end: null }, now).end).toBeNull();
  });
});
