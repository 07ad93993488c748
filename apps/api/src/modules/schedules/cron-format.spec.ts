import { cronFormatProblem, nextCronRun, parseCronFormat } from './cron-format';

const at = (iso: string) => new Date(iso);

describe('cron format', () => {
  it('accepts standard 5-field expressions and normalizes them to explicit lists', () => {
    expect(parseCronFormat('*/5 * * * *')).toEqual({
      kind: 'cron',
      expression: '0,5,10,15,20,25,30,35,40,45,50,55 * * * *',
      timeZone: null,
    });
    expect(parseCronFormat('  0 9-17/4 * JAN,Jul mon-fri ')).toEqual({
      kind: 'cron',
      expression: '0 9,13,17 * 1,7 1,2,3,4,5',
      timeZone: null,
    });
    expect(parseCronFormat('0 0 ? * *')).toMatchObject({ expression: '0 0 * * *' });
    expect(parseCronFormat('*/1 * * * *')).toMatchObject({ expression: '* * * * *' });
  });

  it('accepts descriptors and @every', () => {
    expect(parseCronFormat('@hourly')).toEqual({ kind: 'cron', expression: '0 * * * *', timeZone: null });
    expect(parseCronFormat('@midnight')).toMatchObject({ expression: '0 0 * * *' });
    expect(parseCronFormat('@annually')).toMatchObject({ expression: '0 0 1 1 *' });
    expect(parseCronFormat('@every 1h30m')).toEqual({ kind: 'every', intervalMs: 5_400_000 });
    expect(parseCronFormat('@every 1.5m')).toEqual({ kind: 'every', intervalMs: 90_000 });
  });

  it('accepts a CRON_TZ= or TZ= prefix with a real zone', () => {
    expect(parseCronFormat('CRON_TZ=Europe/Berlin 0 6 * * *')).toEqual({
      kind: 'cron',
      expression: '0 6 * * *',
      timeZone: 'Europe/Berlin',
    });
    expect(parseCronFormat('TZ=UTC @daily')).toMatchObject({ timeZone: 'UTC' });
    expect(parseCronFormat('TZ=Local 0 6 * * *')).toMatchObject({ timeZone: null });
  });

  it('refuses garbage with robfig-like messages', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty spec string/],
      ['   ', /empty spec string/],
      ['not a cron', /expected exactly 5 fields, found 3/],
      ['0 */5 * * * *', /found 6 \(a seconds field is not supported\)/],
      ['* * * *', /found 4/],
      ['61 * * * *', /end of range \(61\) above maximum \(59\)/],
      ['0 0 0 * *', /beginning of range \(0\) below minimum \(1\)/],
      ['0 0 * * 7', /above maximum \(6\)/],
      ['5-1 * * * *', /beginning of range \(5\) beyond end of range \(1\)/],
      ['*/0 * * * *', /step of range should be a positive number/],
      ['1-2-3 * * * *', /too many hyphens/],
      ['*/2/3 * * * *', /too many slashes/],
      ['1,,2 * * * *', /failed to parse int/],
      ['H * * * *', /failed to parse int from H/],
      ['0 0 L * *', /failed to parse int from L/],
      ['0 0 * * 1#2', /failed to parse int/],
      ['-1 * * * *', /failed to parse int/],
      ['0 0 * foo *', /failed to parse int from foo \(month\)/],
      ['0 0 31 2 *', /day of month/i],
      ['@reboot', /unrecognized descriptor: @reboot/],
      ['@every 30s', /at least 1m/],
      ['@every banana', /failed to parse duration/],
      ['@every', /failed to parse duration/],
      ['CRON_TZ=Mars/Olympus 0 6 * * *', /bad location Mars\/Olympus/],
      ['TZ=../../etc/passwd 0 6 * * *', /bad location/],
      ['CRON_TZ=UTC', /missing expression/],
      [`${'1,'.repeat(200)}1 * * * *`, /longer than 255/],
    ];
    for (const [spec, message] of cases)
      expect([spec, cronFormatProblem(spec)]).toEqual([spec, expect.stringMatching(message)]);
  });

  it('computes the next run in the schedule zone, or the default zone', () => {
    const daily9 = parseCronFormat('0 9 * * *');
    expect(nextCronRun(daily9, at('2025-01-01T00:00:00Z'), 'UTC')).toEqual(at('2025-01-01T09:00:00Z'));
    expect(nextCronRun(daily9, at('2025-01-01T00:00:00Z'), 'Europe/Berlin')).toEqual(at('2025-01-01T08:00:00Z'));
    const berlin = parseCronFormat('CRON_TZ=Europe/Berlin 0 9 * * *');
    expect(nextCronRun(berlin, at('2025-07-01T00:00:00Z'), 'UTC')).toEqual(at('2025-07-01T07:00:00Z'));
    const every = parseCronFormat('@every 2h');
    expect(nextCronRun(every, at('2025-01-01T00:00:00Z'))).toEqual(at('2025-01-01T02:00:00Z'));
  });

  it('keeps robfig semantics: N/step runs to the maximum, day of week 0-6', () => {
    // MON/2 = Monday, Wednesday, Friday (robfig), not cron-parser's 1,3,5,7.
    const s = parseCronFormat('0 0 * * MON/2');
    expect(s).toMatchObject({ expression: '0 0 * * 1,3,5' });
    const sat = at('2025-01-04T00:00:00Z'); // a Saturday
    expect(nextCronRun(s, sat, 'UTC')).toEqual(at('2025-01-06T00:00:00Z'));
  });

  it('uses "day of month OR day of week" when both are restricted', () => {
    const s = parseCronFormat('0 0 15 * 1');
    const mondays = nextCronRun(s, at('2025-01-01T00:00:00Z'), 'UTC');
    expect(mondays).toEqual(at('2025-01-06T00:00:00Z'));
    expect(nextCronRun(s, at('2025-01-13T00:00:00Z'), 'UTC')).toEqual(at('2025-01-15T00:00:00Z'));
  });
});
