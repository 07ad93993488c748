import { lastSeenIsStale } from './task-claim.service';

describe('runner last_seen refresh on claim', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');

  it('refreshes a runner never seen, or seen a minute ago or more', () => {
    expect(lastSeenIsStale({ lastSeen: null }, now)).toBe(true);
    expect(lastSeenIsStale({ lastSeen: new Date(now - 60_000) }, now)).toBe(true);
    expect(lastSeenIsStale({ lastSeen: new Date(now - 3_600_000) }, now)).toBe(true);
  });

  it('leaves a runner seen within the last minute alone', () => {
    expect(lastSeenIsStale({ lastSeen: new Date(now - 59_999) }, now)).toBe(false);
    expect(lastSeenIsStale({ lastSeen: new Date(now) }, now)).toBe(false);
  });
});
