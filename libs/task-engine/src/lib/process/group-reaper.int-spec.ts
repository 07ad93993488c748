import { spawn } from 'node:child_process';
import { GroupReaper } from './group-reaper';

/**
 * A process group led by `sh -c script` (its own group, as SupervisedProcess starts tasks). The scripts sleep 27 s:
 * other suites running at the same time look for stray `sleep 30` processes on this machine.
 */
function group(script: string): number {
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  if (!child.pid) throw new Error('spawn failed');
  return child.pid;
}

function alive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('GroupReaper (real processes)', () => {
  const started: number[] = [];
  const start = (script: string) => {
    const pgid = group(script);
    started.push(pgid);
    return pgid;
  };

  afterEach(() => {
    for (const pgid of started.splice(0)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });

  it('stops the registered groups when its pipe closes (as when the runner dies), not the removed ones', async () => {
    const reaper = new GroupReaper();
    const a = start('sleep 27 & sleep 27; wait');
    const b = start('sleep 27');
    const c = start('sleep 27');
    reaper.add(a, 1000);
    reaper.add(b, 1000);
    reaper.add(c, 1000);
    reaper.remove(b);
    reaper.disconnect();
    expect(await until(() => !alive(a) && !alive(c), 5000)).toBe(true);
    expect(alive(b)).toBe(true);
  });

  it('sends KILL after the grace period to a group that ignores TERM', async () => {
    const reaper = new GroupReaper();
    const stubborn = start("trap '' TERM; sleep 27 & wait; sleep 27");
    await new Promise((r) => setTimeout(r, 200)); // the trap is set
    reaper.add(stubborn, 1000);
    reaper.disconnect();
    await new Promise((r) => setTimeout(r, 400));
    expect(alive(stubborn)).toBe(true); // TERM ignored, KILL not yet
    expect(await until(() => !alive(stubborn), 5000)).toBe(true);
  });

  it('starts again after being killed and still knows every group', async () => {
    const reaper = new GroupReaper();
    const g = start('sleep 27');
    reaper.add(g, 1000);
    const first = reaper.pid;
    expect(first).toBeDefined();
    process.kill(first as number, 'SIGKILL');
    expect(await until(() => reaper.pid !== undefined && reaper.pid !== first, 5000)).toBe(true);
    expect(alive(g)).toBe(true);
    reaper.disconnect();
    expect(await until(() => !alive(g), 5000)).toBe(true);
  });

  it('exits quietly at end of file when no group is registered', async () => {
    const reaper = new GroupReaper();
    const g = start('sleep 27');
    reaper.add(g, 1000);
    reaper.remove(g);
    const pid = reaper.pid as number;
    reaper.disconnect();
    expect(
      await until(() => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, 5000),
    ).toBe(true);
    expect(alive(g)).toBe(true);
  });
});
