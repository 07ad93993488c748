import { fireTimeOf, runAtJobId, scheduleTrigger } from './schedule-jobs';

describe('schedule jobs', () => {
  it('turns schedules into triggers', () => {
    expect(scheduleTrigger({ active: true, cronFormat: '*/5 * * * *', runAt: null })).toEqual({
      kind: 'repeat',
      repeat: { pattern: expect.stringMatching(/^\S+ \* \* \* \*$/) },
    });
    expect(scheduleTrigger({ active: true, cronFormat: 'CRON_TZ=Europe/Paris 0 9 * * 1', runAt: null })).toEqual({
      kind: 'repeat',
      repeat: { pattern: '0 9 * * 1', tz: 'Europe/Paris' },
    });
    expect(scheduleTrigger({ active: true, cronFormat: '@every 2m', runAt: null })).toEqual({
      kind: 'repeat',
      repeat: { every: 120_000 },
    });
    const at = new Date('2030-01-01T00:00:00Z');
    expect(scheduleTrigger({ active: true, cronFormat: '', runAt: at })).toEqual({ kind: 'once', at });
    expect(scheduleTrigger({ active: false, cronFormat: '* * * * *', runAt: null }).kind).toBe('none');
    expect(scheduleTrigger({ active: true, cronFormat: 'nonsense', runAt: null }).kind).toBe('none');
  });

  it('reads the intended fire time from the job id', () => {
    expect(fireTimeOf({ id: 'repeat:schedule-3:1893456000000', timestamp: 1 })).toBe(1893456000000);
    const at = new Date('2030-01-01T00:00:00Z');
    expect(fireTimeOf({ id: runAtJobId(3, at), timestamp: 1 })).toBe(at.getTime());
    expect(fireTimeOf({ id: 'other', timestamp: 1000, delay: 500 })).toBe(1500);
  });
});
