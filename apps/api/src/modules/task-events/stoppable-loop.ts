import type { Logger } from '@nestjs/common';

/**
 * Runs an async step over and over until stopped. A failing step is logged and retried after an exponential backoff
 * (100 ms doubling up to `maxBackoffMs`); a successful step resets it. The wait is interrupted by stop().
 */
export class StoppableLoop {
  private stopped = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly name: string,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly maxBackoffMs: number,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  run(step: () => Promise<void>, onError?: (err: unknown) => void): void {
    if (this.running) throw new Error(`${this.name} already runs`);
    this.running = this.loop(step, onError);
  }

  /** Stops after the current step; `interrupt` aborts a blocking call in progress (e.g. disconnects its client). */
  async stop(interrupt?: () => void, timeoutMs = 5_000): Promise<void> {
    this.stopped = true;
    this.wake?.();
    interrupt?.();
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Waits `ms` unless stopped meanwhile. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.wake = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    }).then(() => {
      this.wake = null;
    });
  }

  private async loop(step: () => Promise<void>, onError?: (err: unknown) => void): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await step();
        failures = 0;
      } catch (err) {
        if (this.stopped) break;
        failures++;
        onError?.(err);
        const delay = Math.min(100 * 2 ** Math.min(failures - 1, 10), this.maxBackoffMs);
        this.logger.warn(`${this.name} failed (attempt ${failures}, retrying in ${delay} ms): ${String(err)}`);
        await this.sleep(delay);
      }
    }
  }
}
