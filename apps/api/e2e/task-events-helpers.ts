import WebSocket from 'ws';
import {
  TASK_EVENTS_FIELD,
  TASK_EVENTS_STREAM,
  redisKey,
  type TaskEvent,
  type TaskEventBatch,
} from '@semaphore/models';
import type { TaskEntity } from '@semaphore/persistence';
import type { Redis } from 'ioredis';

export type WsMessage = Record<string, unknown> & { type: string; task_id: number; project_id: number };

/** A WebSocket test client that records every message and can wait for one. */
export class WsClient {
  readonly messages: WsMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as WsMessage);
      this.notify();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.notify();
    });
  }

  /** Opens a connection; rejects with the HTTP status when the upgrade is refused. */
  static connect(baseUrl: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/ws`, { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        reject(new UpgradeRefused(res.statusCode ?? 0));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  /** Resolves with the messages seen when `done(messages)` first holds. */
  waitFor(done: (messages: WsMessage[]) => boolean, what: string, timeoutMs = 15_000): Promise<WsMessage[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done(this.messages)) finish(() => resolve(this.messages));
        else if (this.closed)
          finish(() => reject(new Error(`closed (${this.closed?.code}) while waiting for ${what}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages)}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  waitForClose(timeoutMs = 15_000): Promise<{ code: number; reason: string }> {
    return this.waitFor(() => this.closed !== null, 'close', timeoutMs).then(
      () => this.closed as { code: number; reason: string },
    );
  }

  of(taskId: number, type?: string): WsMessage[] {
    return this.messages.filter((m) => m.task_id === taskId && (type === undefined || m.type === type));
  }

  close(): void {
    this.ws.terminate();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

export class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}

/** Appends a runner batch for a claimed task, as a runner does. */
export function appendRunnerBatch(
  redis: Redis,
  prefix: string,
  task: TaskEntity,
  events: TaskEvent[],
  over: Partial<TaskEventBatch> = {},
): Promise<string | null> {
  const batch: TaskEventBatch = {
    source: 'runner',
    taskId: task.id,
    projectId: task.projectId,
    templateId: task.templateId,
    runnerId: task.runnerId ?? 0,
    gen: task.claimGeneration,
    events,
    ...over,
  };
  return redis.xadd(redisKey(prefix, TASK_EVENTS_STREAM), '*', TASK_EVENTS_FIELD, JSON.stringify(batch));
}

/** Log events seq `from`..`to` with distinct millisecond times. */
export function logEvents(from: number, to: number, text = (n: number) => `TASK [step ${n}] ok: [localhost]`) {
  return Array.from({ length: to - from + 1 }, (_, i): TaskEvent => {
    const seq = from + i;
    return { type: 'log', seq, time: new Date(Date.UTC(2024, 9, 25, 0, 0, 0, seq)).toISOString(), output: text(seq) };
  });
}
