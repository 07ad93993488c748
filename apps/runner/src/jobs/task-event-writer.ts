import type { TaskStatus, TaskEvent, TaskEventBatch } from '@semaphore/models';
import type { JobEvents } from '@semaphore/task-engine';

/** Appends one batch (its JSON) to the task event stream. */
export type BatchSink = (batch: TaskEventBatch) => Promise<void>;

export interface EventWriterOptions {
  /** A batch is sent at most this long after its first event. */
  flushMs?: number;
  /** A batch is sent as soon as it holds this many events. */
  maxEvents?: number;
  /** How long a failing append is retried before the batch is given up (and logged). */
  retryForMs?: number;
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
        return;
      } catch (err) {
        if (Date.now() >= deadline) {
          this.options.onDropped?.(err, events.length);
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 2_000)));
      }
    }
  }
}
