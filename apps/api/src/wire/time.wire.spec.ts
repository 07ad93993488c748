import { toWireTime } from './time.wire';

describe('toWireTime', () => {
  it('writes RFC 3339 UTC like Go: no fraction for whole seconds, trailing zeros trimmed', () => {
    expect(toWireTime(new Date('2024-10-25T00:00:00Z'))).toBe('2024-10-25T00:00:00Z');
    expect(toWireTime(new Date('2024-10-25T02:43:49.120+02:00'))).toBe('2024-10-25T00:43:49.12Z');
    expect(toWireTime(new Date('2024-10-25T00:43:49.001Z'))).toBe('2024-10-25T00:43:49.001Z');
    expect(toWireTime(new Date('2024-10-25T00:43:10.100Z'))).toBe('2024-10-25T00:43:10.1Z');
  });

  it('keeps null as null', () => {
    expect(toWireTime(null)).toBeNull();
  });
});
