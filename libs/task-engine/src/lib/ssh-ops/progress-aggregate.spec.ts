import { ProgressAggregate } from './progress-aggregate';

const p = (bytesDone: number, bytesTotal: number, rate: number, filesDone = 0) => ({
  bytesDone,
  bytesTotal,
  filesDone,
  filesTotal: 1,
  rateBytesPerSec: rate,
  etaSec: null,
});

describe('ProgressAggregate', () => {
  it('sums hosts, throttles, always sends completion, and carries the pause state', () => {
    let t = 0;
    let paused = false;
    const reports: unknown[] = [];
    const agg = new ProgressAggregate(
      (r) => reports.push(r),
      () => paused,
      250,
      () => t,
    );
    t = 300;
    agg.update('a', p(10, 100, 10));
    t = 310;
    agg.update('b', p(20, 100, 20));
    expect(reports).toHaveLength(1);
    t = 600;
    agg.update('a', p(100, 100, 50, 1));
    expect(reports).toHaveLength(2);
    expect(reports[1]).toEqual({
      bytesDone: 120,
      bytesTotal: 200,
      filesDone: 1,
      filesTotal: 2,
      rate: 70,
      eta: 1.1,
      paused: false,
    });
    paused = true;
    agg.flush();
    expect(reports[2]).toMatchObject({ bytesDone: 120, paused: true });
  });
});
