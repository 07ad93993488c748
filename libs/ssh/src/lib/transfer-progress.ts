/** Where a transfer is: bytes and files done of the totals, rate and estimated time left. */
export interface TransferProgress {
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
  rateBytesPerSec: number;
  /** Null until a rate is known. */
  etaSec: number | null;
}

/**
 * Turns byte counts into progress events at most every `intervalMs` (plus the final one): the rate is measured since
 * the transfer started (bytes resumed from an earlier attempt do not count towards it).
 */
export class ProgressMeter {
  private lastEmit = 0;
  private readonly started: number;
  private transferred = 0;

  constructor(
    private readonly totals: { bytes: number; files: number },
    private readonly emit: (p: TransferProgress) => void,
    private readonly intervalMs = 200,
    private readonly now: () => number = Date.now,
    private done = { bytes: 0, files: 0 },
  ) {
    this.started = now();
  }

  bytes(n: number): void {
    this.done.bytes += n;
    this.transferred += n;
    const t = this.now();
    if (t - this.lastEmit >= this.intervalMs) {
      this.lastEmit = t;
      this.emit(this.snapshot(t));
    }
  }

  /** Counts bytes that need no transfer (already at the destination). */
  skip(n: number): void {
    this.done.bytes += n;
  }

  /** Takes back bytes counted as done (a file sent again from its start). */
  rewind(n: number): void {
    this.done.bytes = Math.max(0, this.done.bytes - n);
  }

  fileDone(): void {
    this.done.files += 1;
  }

  finish(): void {
    this.emit(this.snapshot(this.now()));
  }

  snapshot(t = this.now()): TransferProgress {
    const seconds = (t - this.started) / 1000;
    const rate = seconds > 0 ? this.transferred / seconds : 0;
    const left = Math.max(0, this.totals.bytes - this.done.bytes);
    return {
      bytesDone: this.done.bytes,
      bytesTotal: this.totals.bytes,
      filesDone: this.done.files,
      filesTotal: this.totals.files,
      rateBytesPerSec: Math.round(rate),
      etaSec: rate > 0 ? Math.ceil(left / rate) : left === 0 ? 0 : null,
    };
  }
}
