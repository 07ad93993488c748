import WebSocket from 'ws';
import { wallMs } from './report';

export interface WsLog {
  type: 'log';
  task_id: number;
  output: string;
  seq: number;
}

interface WsUpdate {
  type: 'update';
  task_id: number;
  status: string;
}

const FINISHED = new Set(['success', 'error', 'stopped', 'rejected']);

interface Finished {
  status: string;
  /** Wall-clock ms when the terminal update arrived. */
  at: number;
}

/**
 * One WebSocket client on /api/ws, as the web UI has it: records terminal `update`s per task (resolving waiters) and
 * hands every `log` message to the current log hook. Messages are not kept (a million lines go through it).
 */
export class WsTap {
  private readonly finished = new Map<number, Finished>();
  private readonly waiters = new Map<number, Array<(f: Finished) => void>>();
  private logHook: ((m: WsLog, at: number) => void) | null = null;
  closedWith: string | null = null;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.onMessage(String(data)));
    ws.on('close', (code, reason) => {
      this.closedWith = `${code} ${String(reason)}`;
      for (const list of this.waiters.values()) for (const w of list) w({ status: 'ws-closed', at: wallMs() });
      this.waiters.clear();
    });
  }

  static connect(baseUrl: string, token: string): Promise<WsTap> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsTap(ws)));
      ws.once('error', reject);
    });
  }

  onLog(hook: ((m: WsLog, at: number) => void) | null): void {
    this.logHook = hook;
  }

  /** Resolves with the task's terminal status and when it arrived; rejects after `timeoutMs`. */
  waitFinished(taskId: number, timeoutMs: number): Promise<Finished> {
    const done = this.finished.get(taskId);
    if (done) return Promise.resolve(done);
    if (this.closedWith) return Promise.resolve({ status: 'ws-closed', at: wallMs() });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`task ${taskId} not finished after ${timeoutMs} ms`)), timeoutMs);
      const list = this.waiters.get(taskId) ?? [];
      list.push((f) => {
        clearTimeout(timer);
        resolve(f);
      });
      this.waiters.set(taskId, list);
    });
  }

  close(): void {
    this.ws.terminate();
  }

  private onMessage(text: string): void {
    const at = wallMs();
    const m = JSON.parse(text) as WsLog | WsUpdate;
    if (m.type === 'log') {
      this.logHook?.(m, at);
      return;
    }
    if (m.type !== 'update' || !FINISHED.has(m.status) || this.finished.has(m.task_id)) return;
    const f = { status: m.status, at };
    this.finished.set(m.task_id, f);
    for (const w of this.waiters.get(m.task_id) ?? []) w(f);
    this.waiters.delete(m.task_id);
  }
}
