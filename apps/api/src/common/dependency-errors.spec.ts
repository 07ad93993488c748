import { unavailableDependency } from './dependency-errors';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('unavailableDependency', () => {
  it.each([
    ["Stream isn't writeable and enableOfflineQueue options is false", 'redis'],
    ['Connection is closed.', 'redis'],
    ['Command timed out', 'redis'],
    ['Reached the max retries per request limit (which is 1).', 'redis'],
    ['Connection terminated unexpectedly', 'database'],
    ['connect ECONNREFUSED 127.0.0.1:5432', 'database'],
  ])('%s -> %s', (message, expected) => {
    expect(unavailableDependency(new Error(message))).toBe(expected);
  });

  it('reads SQLSTATE codes, also from a wrapped driver error', () => {
    expect(unavailableDependency(withCode('terminating connection', '57P01'))).toBe('database');
    expect(unavailableDependency(withCode('x', '08006'))).toBe('database');
    const wrapped = Object.assign(new Error('query failed'), { driverError: { code: '57P03' } });
    expect(unavailableDependency(wrapped)).toBe('database');
  });

  it('leaves every other error alone', () => {
    expect(unavailableDependency(new Error('boom'))).toBeNull();
    expect(unavailableDependency(withCode('duplicate key', '23505'))).toBeNull();
    expect(unavailableDependency('Connection is closed.')).toBeNull();
  });
});
