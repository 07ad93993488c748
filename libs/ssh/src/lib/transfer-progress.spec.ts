import { ProgressMeter, type TransferProgress } from './transfer-progress';

describe('ProgressMeter', () => {
  it('emits at most once per interval, then a final event, with rate and ETA from the bytes sent since start', () => {
    let now = 1_000;
    const events: TransferProgress[] = [];
    const meter = new ProgressMeter(
      { bytes: 1_000, files: 1 },
      (p) => events.push(p),
      200,
      () => now,
    );
    meter.skip(200); // already at the destination: counted as done, not in the rate
    now += 100;
    meter.bytes(100); // the first bytes: emitted at once
    now += 100;
    meter.bytes(100); // 100 ms after the previous event: none
    now += 50;
    meter.bytes(100); // 150 ms after it: none
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ bytesDone: 300, rateBytesPerSec: 1_000, etaSec: 1 });
    now += 550;
    meter.bytes(500);
    meter.fileDone();
    meter.finish();
    expect(events[events.length - 1]).toEqual({
      bytesDone: 1_000,
      bytesTotal: 1_000,
      filesDone: 1,
      filesTotal: 1,
      rateBytesPerSec: 1_000,
      etaSec: 0,
    });
  });

  it('has no ETA before any byte moved', () => {
    const meter = new ProgressMeter(
      { bytes: 10, files: 1 },
      () => undefined,
      200,
      () => 5,
    );
    expect(meter.snapshot().etaSec).toBeNull();
  });
});
