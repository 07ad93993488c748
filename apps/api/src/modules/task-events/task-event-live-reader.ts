import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { TaskEventBatch } from '@semaphore/models';
import { parseEntries, taskEventsStreamKey, type RawStreamEntry } from './task-event-batch';
import { StoppableLoop } from './stoppable-loop';

export interface LiveBatchSink {
  /** Whether anybody listens at all (when not, entries are skipped without parsing). */
  wantsBatches(): boolean;
  /** Called with the batches of one read, in stream order; the next read waits for it. */
  onBatches(batches: TaskEventBatch[]): Promise<void>;
}

export interface LiveReaderOptions {
  prefix: string;
  count?: number;
  blockMs?: number;
}

/**
 * Every api replica's live view of the task event stream: XREAD BLOCK from the entry that was last when it started
 * (its own blocking connection, no consumer group: each replica sees every entry), handed to a sink in order.
 */
export class TaskEventLiveReader {
  private readonly logger = new Logger(TaskEventLiveReader.name);
  private readonly key: string;
  private readonly loop: StoppableLoop;
  private lastId: string | null = null;
  private sink: LiveBatchSink | null = null;

  constructor(
    private readonly blocking: Redis,
    private readonly options: LiveReaderOptions,
  ) {
    this.key = taskEventsStreamKey(options.prefix);
    this.loop = new StoppableLoop('task event live reader', this.logger, 5_000);
  }

  setSink(sink: LiveBatchSink): void {
    this.sink = sink;
  }

  start(): void {
    this.loop.run(() => this.step());
  }

  async stop(): Promise<void> {
    await this.loop.stop(() => this.blocking.disconnect());
  }

  private async step(): Promise<void> {
    // Start after the newest entry at start-up (an explicit id, so nothing written between two reads is missed).
    this.lastId ??= await this.newestId();
    const reply = (await this.blocking.xread(
      'COUNT',
      this.options.count ?? 1_000,
      'BLOCK',
      this.options.blockMs ?? 1_000,
      'STREAMS',
      this.key,
      this.lastId,
    )) as Array<[string, RawStreamEntry[]]> | null;
    const entries = reply?.[0]?.[1] ?? [];
    if (entries.length === 0) return;
    this.lastId = entries[entries.length - 1][0];
    const sink = this.sink;
    if (!sink?.wantsBatches()) return;
    const batches: TaskEventBatch[] = [];
    for (const e of parseEntries(entries)) if (e.batch) batches.push(e.batch);
    try {
      await sink.onBatches(batches);
    } catch (err) {
      // A relay failure must not stop the reader (nor make it re-send what it sent already).
      this.logger.error(`relaying task events failed: ${String(err)}`);
    }
  }

  private async newestId(): Promise<string> {
    const newest = (await this.blocking.xrevrange(this.key, '+', '-', 'COUNT', 1)) as RawStreamEntry[];
    return newest[0]?.[0] ?? '0-0';
  }
}
