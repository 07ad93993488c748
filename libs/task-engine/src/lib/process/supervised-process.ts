import { spawn, type ChildProcess } from 'node:child_process';
import { LineSplitter } from '../line-splitter';
import { groupReaper } from './group-reaper';

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  /** The whole environment of the child: nothing is inherited from the runner (SECURITY.md §4). */
  env: Record<string, string>;
  /** Called for every output line, stdout and stderr alike, in arrival order. */
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  /** After each chunk: a promise means "no more output for now" (the streams pause until it settles). */
  room?: () => Promise<void> | undefined;
  /** Grace period between SIGTERM and SIGKILL when stopping. */
  killGraceMs?: number;
  /** Stops the process (as `stop()` does) once it has run this long. */
  timeoutMs?: number;
  /**
   * Whether the process group dies with this (runner) process even when it is killed with SIGKILL (default true):
   * the process's GroupReaper, outside the group, holds a pipe from us and, on its end of file, sends TERM, then
   * KILL, to the group.
   */
  dieWithParent?: boolean;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why it ended early: stopped by a caller, or the timeout. */
  stoppedBy: 'stop' | 'timeout' | null;
}

/**
 * A child process in its own process group, so stopping it stops everything it started (TERM to the group, then
 * KILL after a grace period). Output is split into lines as it arrives; the exit status decides success, never the
 * log text.
 */
export class SupervisedProcess {
  readonly done: Promise<ProcessResult>;
  private readonly child: ChildProcess;
  private stoppedBy: ProcessResult['stoppedBy'] = null;
  private exited = false;
  private killTimer: NodeJS.Timeout | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;

  constructor(private readonly spec: ProcessSpec) {
    this.child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true, // new process group: -pid addresses the whole tree
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const guarded = spec.dieWithParent !== false ? this.child.pid : undefined;
    if (guarded) groupReaper.add(guarded, spec.killGraceMs ?? 10_000);
    const streams = [
      [this.child.stdout, 'stdout'],
      [this.child.stderr, 'stderr'],
    ] as const;
    const closed = streams.map(
      ([stream, name]) =>
        new Promise<void>((resolve) => {
          const splitter = new LineSplitter();
          if (!stream) return resolve();
          stream.on('data', (chunk: Buffer) => {
            splitter.push(chunk).forEach((l) => spec.onLine(l, name));
            const wait = spec.room?.();
            if (wait) {
              stream.pause();
              const resume = () => stream.resume();
              wait.then(resume, resume);
            }
          });
          stream.on('close', () => {
            splitter.flush().forEach((l) => spec.onLine(l, name));
            resolve();
          });
        }),
    );
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        resolve({ code, signal });
      });
    });
    const finished = Promise.all([exit, ...closed]);
    // A spawn failure has no process group left to guard.
    finished.catch(() => guarded && groupReaper.remove(guarded));
    this.done = finished.then(([{ code, signal }]) => {
      clearTimeout(this.killTimer);
      clearTimeout(this.timeoutTimer);
      // Whatever the leader left behind in its group goes too; the reaper no longer needs to know the group.
      this.signalGroup('SIGKILL');
      if (guarded) groupReaper.remove(guarded);
      return { exitCode: code, signal, stoppedBy: this.stoppedBy };
    });
    if (spec.timeoutMs) {
      this.timeoutTimer = setTimeout(() => this.terminate('timeout'), spec.timeoutMs);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM to the process group, SIGKILL after the grace period. Resolves when it has ended. */
  stop(): Promise<ProcessResult> {
    this.terminate('stop');
    return this.done;
  }

  /** SIGKILL to the process group at once. */
  kill(): Promise<ProcessResult> {
    this.stoppedBy ??= 'stop';
    this.signalGroup('SIGKILL');
    return this.done;
  }

  private terminate(reason: 'stop' | 'timeout'): void {
    if (this.exited) return;
    this.stoppedBy ??= reason;
    this.signalGroup('SIGTERM');
    this.killTimer ??= setTimeout(() => this.signalGroup('SIGKILL'), this.spec.killGraceMs ?? 10_000);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (!this.child.pid) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // The group is already gone.
    }
  }
}
