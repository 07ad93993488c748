import type { TaskStatus, TaskEvent, TaskEventBatch } from '@semaphore/models';
import type { JobEvents, ProgressReport } from '@semaphore/task-engine';

/** Appends one batch (its JSON) to the task event stream. */
export type BatchSink = (batch: TaskEventBatch) => Promise<void>;

export interface EventWriterOptions {
  /** A batch is sent at most this long after its first event. */
  flushMs?: number;
  /** A batch is sent as soon as it holds this many events. */
  maxEvents?: number;
  /** How long a failing append is retried before the batch is given up (and logged). */
  retryForMs?: number;
  /** Events pushed but not yet in the stream above which `room()` asks the app to wait (backpressure). */
  maxBacklog?: number;
  onDropped?: (err: unknown, events: number) => void;
}

type Claim = Pick<TaskEventBatch, 'taskId' | 'projectId' | 'templateId' | 'runnerId' | 'gen'>;

/**
 * Turns a job's events into `runner` batches in order: log lines numbered from the claim's `firstSeq`, ISO times,
 * sent in small batches (time- and size-bounded), one append at a time so the stream keeps their order.
 */
export class TaskEventWriter implements JobEvents {
  private buffer: TaskEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private nextSeq: number;
  private readonly flushMs: number;
  private readonly maxEvents: number;
  private readonly retryForMs: number;
  private readonly maxBacklog: number;
  /** Events pushed and not yet appended (or given up). */
  private backlog = 0;
  private roomWaiters: Array<() => void> = [];

  constructor(
    private readonly claim: Claim,
    firstSeq: number,
    private readonly sink: BatchSink,
    private readonly options: EventWriterOptions = {},
  ) {
    this.nextSeq = firstSeq;
    this.flushMs = options.flushMs ?? 50;
    this.maxEvents = options.maxEvents ?? 200;
    this.retryForMs = options.retryForMs ?? 60_000;
    this.maxBacklog = options.maxBacklog ?? 100_000;
  }

  /** While the backlog is full (the stream cannot be reached), a promise that resolves once it has room again. */
  room(): Promise<void> | undefined {
    if (this.backlog < this.maxBacklog) return undefined;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  log(line: string): void {
    this.push({ type: 'log', seq: this.nextSeq++, time: new Date().toISOString(), output: line });
  }

  status(status: TaskStatus, errorCode?: string): void {
    this.push({ type: 'status', status, time: new Date().toISOString(), ...(errorCode ? { errorCode } : {}) });
  }

  commit(hash: string, message: string): void {
    this.push({ type: 'commit', hash, message });
  }

  progress(p: ProgressReport): void {
    this.push({
      type: 'progress',
      time: new Date().toISOString(),
      bytesDone: p.bytesDone,
      bytesTotal: p.bytesTotal,
      filesDone: p.filesDone,
      filesTotal: p.filesTotal,
      rate: p.rate,
      ...(p.eta === null ? {} : { eta: p.eta }),
      paused: p.paused,
    });
  }

  /** Sends what is buffered; resolves once everything pushed so far is in the stream (or given up). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length) {
      const events = this.buffer;
      this.buffer = [];
      this.chain = this.chain.then(() => this.send(events));
    }
    return this.chain;
  }

  private push(event: TaskEvent): void {
    this.backlog++;
    this.buffer.push(event);
    if (this.buffer.length >= this.maxEvents) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  private async send(events: TaskEvent[]): Promise<void> {
    const batch: TaskEventBatch = { source: 'runner', ...this.claim, events };
    const deadline = Date.now() + this.retryForMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sink(batch);
        return this.delivered(events.length);
      } catch (err) {
        if (Date.now() >= deadline) {
          this.options.onDropped?.(err, events.length);
          return this.delivered(events.length);
        }
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 2_000)));
      }
    }
  }

  private delivered(count: number): void {
    this.backlog -= count;
    if (this.backlog >= this.maxBacklog) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    waiters.forEach((resolve) => resolve());
  }
}
