import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The reaper's script: it keeps the registered process groups (`add <pgid> <grace s>`, `del <pgid>` on stdin) and,
 * at end of file (the process holding the other end of the pipe is gone, however it died), sends TERM to each group
 * still registered, waits the longest grace period, then sends KILL. Builtins only: no fork per line.
 */
const REAPER_SCRIPT = [
  'groups=" "; grace=0',
  'while read -r op pg sec; do',
  '  case "$op" in',
  '    add) groups="$groups$pg "; [ "$sec" -gt "$grace" ] && grace=$sec ;;',
  '    del) case "$groups" in *" $pg "*) groups="${groups%% $pg *} ${groups#* $pg }" ;; esac ;;',
  '  esac',
  'done',
  '[ "$groups" = " " ] && exit 0',
  'for g in $groups; do kill -TERM "-$g" 2>/dev/null; done',
  'sleep "$grace"',
  'for g in $groups; do kill -KILL "-$g" 2>/dev/null; done',
].join('\n');

const RESTART_DELAY_MS = 1_000;

/**
 * One watchdog process per runner process for all its task process groups (instead of one per task): the groups die
 * with the runner even when it is killed with SIGKILL. The reaper runs in its own process group (stopping a task's
 * group does not stop it) and does not keep this process alive. If it dies, it is started again and told every
 * group still registered.
 */
export class GroupReaper {
  private proc: ChildProcess | null = null;
  private readonly groups = new Map<number, number>();
  private restartTimer: NodeJS.Timeout | null = null;

  /** Registers a process group (its leader's pid) to stop, TERM then KILL after `graceMs`, if this process dies. */
  add(pgid: number, graceMs: number): void {
    const seconds = Math.max(1, Math.ceil(graceMs / 1000));
    this.groups.set(pgid, seconds);
    this.send(`add ${pgid} ${seconds}\n`);
  }

  /** The group has ended: nothing to stop any more. */
  remove(pgid: number): void {
    if (this.groups.delete(pgid)) this.send(`del ${pgid}\n`);
  }

  /** Closes the pipe: the reaper stops every group still registered, as when this process dies. */
  disconnect(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const proc = this.proc;
    this.proc = null;
    this.groups.clear();
    proc?.stdin?.end();
  }

  /** The reaper's pid (tests). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  private send(line: string): void {
    const proc = this.proc ?? this.start();
    proc?.stdin?.write(line);
  }

  private start(): ChildProcess | null {
    const proc = spawn('/bin/sh', ['-c', REAPER_SCRIPT, 'reaper'], {
      detached: true,
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    proc.on('error', () => undefined);
    proc.stdin?.on('error', () => undefined);
    proc.once('exit', () => {
      if (this.proc !== proc) return;
      this.proc = null;
      if (this.groups.size > 0) this.scheduleRestart();
    });
    // Neither the reaper nor its pipe keeps this process alive.
    proc.unref();
    (proc.stdin as { unref?: () => void } | null)?.unref?.();
    this.proc = proc;
    return proc;
  }

  private scheduleRestart(): void {
    if (this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.proc || this.groups.size === 0) return;
      const proc = this.start();
      for (const [pgid, seconds] of this.groups) proc?.stdin?.write(`add ${pgid} ${seconds}\n`);
    }, RESTART_DELAY_MS);
    this.restartTimer.unref();
  }
}

/** The reaper of this process's task groups. */
export const groupReaper = new GroupReaper();
