import type { TransferProgress } from '@semaphore/ssh';
import type { ProgressReport } from '../job/job-events';

/**
 * Sums the progress of the hosts of one task into reports at most every `intervalMs` (the last one always goes out
 * through `flush`), with the pause state of the task.
 */
export class ProgressAggregate {
  private readonly perHost = new Map<string, TransferProgress>();
  private lastEmit = 0;

  constructor(
    private readonly emit: (p: ProgressReport) => void,
    private readonly isPaused: () => boolean,
    private readonly intervalMs = 250,
    private readonly now: () => number = Date.now,
  ) {}

  update(host: string, p: TransferProgress): void {
    this.perHost.set(host, p);
    const t = this.now();
    if (t - this.lastEmit >= this.intervalMs || p.bytesDone >= p.bytesTotal) this.send(t);
  }

  /** Sends the current sums now (on pause/resume, and at the end). */
  flush(): void {
    if (this.perHost.size === 0) return;
    this.send(this.now());
  }

  private send(t: number): void {
    this.lastEmit = t;
    let bytesDone = 0;
    let bytesTotal = 0;
    let filesDone = 0;
    let filesTotal = 0;
    let rate = 0;
    for (const p of this.perHost.values()) {
      bytesDone += p.bytesDone;
      bytesTotal += p.bytesTotal;
      filesDone += p.filesDone;
      filesTotal += p.filesTotal;
      rate += p.rateBytesPerSec;
    }
    const left = Math.max(0, bytesTotal - bytesDone);
    const eta = left === 0 ? 0 : rate > 0 ? Math.round((left / rate) * 10) / 10 : null;
    this.emit({ bytesDone, bytesTotal, filesDone, filesTotal, rate: Math.round(rate), eta, paused: this.isPaused() });
  }
}
