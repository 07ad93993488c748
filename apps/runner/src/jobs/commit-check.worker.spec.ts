import { parseCommitCheckJob } from './commit-check.worker';

describe('parseCommitCheckJob', () => {
  it('takes a schedule id and a fire time', () => {
    expect(parseCommitCheckJob({ scheduleId: 3, fireTime: 1_700_000_000_000 })).toEqual({
      scheduleId: 3,
      fireTime: 1_700_000_000_000,
    });
  });

  it.each([
    null,
    'x',
    {},
    { scheduleId: 0, fireTime: 1 },
    { scheduleId: 1.5, fireTime: 1 },
    { scheduleId: '1', fireTime: 1 },
    { scheduleId: 1, fireTime: -1 },
  ])('refuses %j', (data) => expect(parseCommitCheckJob(data)).toBeNull());
});
