import type { TaskEntity } from '@semaphore/persistence';

export type ChaosAction = 'runner' | 'api' | 'redis';

const ACTIONS: ChaosAction[] = ['runner', 'api', 'redis'];

/** `kills` random actions, or (0) one of each kind in a random order. */
export function chaosPlan(kills: number): ChaosAction[] {
  if (kills > 0) return Array.from({ length: kills }, () => ACTIONS[Math.floor(Math.random() * ACTIONS.length)]);
  return [...ACTIONS].sort(() => Math.random() - 0.5);
}

/** The chaos is random on purpose: the gaps between kills are real time, not a wait for a result. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Kill {
  at: number;
  kind: ChaosAction;
  name: string;
  runnerId?: number;
}

/** What happened during a chaos run, printed at the end as a small report. */
export class ChaosReport {
  private readonly started = Date.now();
  private readonly kills: Kill[] = [];
  private readonly notes = new Map<string, number>();
  private statuses = new Map<string, number>();
  private executed = { once: 0, twice: 0 };
  private detection: number[] = [];

  note(text: string): void {
    const key = text.replace(/\d+/g, 'N');
    this.notes.set(key, (this.notes.get(key) ?? 0) + 1);
  }

  killed(kind: ChaosAction, name: string, runnerId?: number): void {
    this.kills.push({ at: Date.now(), kind, name, runnerId });
  }

  tasks(tasks: TaskEntity[]): void {
    this.statuses = new Map();
    for (const t of tasks) {
      const key = t.errorCode ? `${t.status} (${t.errorCode})` : t.status;
      this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
    }
  }

  executions(byTask: Map<number, number>): void {
    const counts = [...byTask.values()];
    this.executed = {
      once: counts.filter((n) => n === 1).length,
      twice: counts.filter((n) => n > 1).length,
    };
  }

  /** Seconds from a runner's kill to the end of each task that failed because of it. */
  runnerLossDetection(tasks: TaskEntity[]): number[] {
    this.detection = tasks
      .filter((t) => t.errorCode === 'RUNNER_LOST' && t.end !== null)
      .flatMap((t) => {
        const end = (t.end as Date).getTime();
        const kill = this.kills
          .filter((k) => k.kind === 'runner' && k.runnerId === t.runnerId && k.at <= end)
          .sort((a, b) => b.at - a.at)[0];
        return kill ? [(end - kill.at) / 1000] : [];
      });
    return this.detection;
  }

  print(): void {
    const t = (ms: number) => `${((ms - this.started) / 1000).toFixed(1)} s`;
    const lines = [
      '',
      '== chaos report',
      `kills: ${this.kills.map((k) => `${k.name} at ${t(k.at)}`).join(', ') || 'none'}`,
      `tasks: ${[...this.statuses].map(([s, n]) => `${n} ${s}`).join(', ')}`,
      `executions: ${this.executed.once} once, ${this.executed.twice} more than once`,
      `runner-loss detection: ${
        this.detection.length
          ? `${this.detection.length} tasks, max ${Math.max(...this.detection).toFixed(1)} s`
          : 'no task was running on a killed runner'
      }`,
      ...[...this.notes].map(([text, n]) => `client saw ${n}x: ${text}`),
      `duration: ${t(Date.now())}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  }
}
