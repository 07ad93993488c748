import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process whose output lines are collected and can be awaited. */
export class ManagedProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<ProcessExit>;
  /** Resolves once the process has exited and its stdout and stderr are read to the end. */
  readonly closed: Promise<void>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private exitInfo: ProcessExit | null = null;

  /** `stdin`: text written to the process's standard input, which is then closed (default: no stdin). */
  constructor(command: string, args: string[], env: Record<string, string>, cwd?: string, stdin?: string) {
    this.child = spawn(command, args, { env, cwd, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (stdin !== undefined) {
      // A process that exits without reading its input must not fail the test with EPIPE.
      this.child.stdin?.on('error', () => undefined);
      this.child.stdin?.end(stdin);
    }
    this.closed = new Promise((resolve) => this.child.on('close', () => resolve()));
    for (const [stream, sink] of [
      [this.child.stdout, this.stdout],
      [this.child.stderr, this.stderr],
    ] as const) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        sink.push(line);
        this.notify();
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.notify();
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  /** The stdout lines that parse as JSON objects (pino log lines). */
  jsonLines(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const line of this.stdout) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
    return out;
  }

  /** Resolves with the first JSON log line matching `predicate`; rejects on exit or timeout. */
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs = 20_000,
  ): Promise<Record<string, unknown>> {
    return this.waitFor(() => this.jsonLines().find(predicate), timeoutMs, 'log line');
  }

  /** Resolves when `probe` returns a value; re-evaluated on every output line and at exit. */
  waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const found = probe();
        if (found !== undefined) {
          done();
          resolve(found);
          return true;
        }
        if (!this.running) {
          done();
          reject(
            new Error(
              `process exited (${JSON.stringify(this.exitInfo)}) before ${what}; stderr: ${this.stderr.join('\n')}`,
            ),
          );
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${this.stderr.join('\n')}`));
      }, timeoutMs);
      const waiter = () => void check();
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      if (!check()) this.waiters.add(waiter);
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<ProcessExit> {
    if (!this.running && this.exitInfo) return this.exitInfo;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** The environment a test process starts from: no SEMAPHORE_* or other settings leak in from the caller. */
export function baseProcessEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TMPDIR']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}
