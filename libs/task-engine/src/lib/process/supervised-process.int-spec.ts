import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SupervisedProcess, type ProcessSpec } from './supervised-process';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('SupervisedProcess (real processes)', () => {
  let dir: string;
  const lines: Array<[string, string]> = [];
  const spec = (script: string, extra: Partial<ProcessSpec> = {}): ProcessSpec => ({
    command: 'bash',
    args: ['-c', script],
    cwd: dir,
    env: { PATH: '/usr/bin:/bin', ONLY_THIS: 'yes' },
    onLine: (line, stream) => lines.push([stream, line]),
    ...extra,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'semtest-proc-'));
    lines.length = 0;
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stops reading while the receiver has no room: the app blocks on its writes, then goes on, losing nothing', async () => {
    const N = 200_000;
    let release: () => void = () => undefined;
    let asked = 0;
    const full = new Promise<void>((resolve) => (release = resolve));
    let roomAsked: () => void = () => undefined;
    const firstAsk = new Promise<void>((resolve) => (roomAsked = resolve));
    const p = new SupervisedProcess(
      spec(`seq 1 ${N}; touch "${dir}/finished"`, {
        room: () => {
          asked++;
          roomAsked();
          return asked === 1 ? full : undefined;
        },
      }),
    );
    await firstAsk;
    const seenWhenFull = lines.length;
    // The pipe fills up and `seq` waits: nothing more arrives and the script does not get to its end.
    await new Promise((r) => setTimeout(r, 300));
    expect(lines.length).toBe(seenWhenFull);
    expect(existsSync(join(dir, 'finished'))).toBe(false);
    release();
    expect(await p.done).toEqual({ exitCode: 0, signal: null, stoppedBy: null });
    expect(lines.map(([, l]) => Number(l))).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(existsSync(join(dir, 'finished'))).toBe(true);
  });

  it('streams stdout and stderr lines and reports the exit code', async () => {
    const p = new SupervisedProcess(spec('echo one; echo two >&2; printf "no newline"; exit 3'));
    expect(await p.done).toEqual({ exitCode: 3, signal: null, stoppedBy: null });
    expect(lines).toEqual(
      expect.arrayContaining([
        ['stdout', 'one'],
        ['stderr', 'two'],
        ['stdout', 'no newline'],
      ]),
    );
  });

  it('gives the child only the environment it is handed, and the working directory', async () => {
    const p = new SupervisedProcess(spec('pwd; env | sort'));
    await p.done;
    const out = lines.map(([, l]) => l);
    expect(out[0]).toBe(dir);
    expect(
      out.filter((l) => /^[A-Z_]+=/.test(l) && !l.startsWith('PWD=') && !l.startsWith('SHLVL=') && !l.startsWith('_=')),
    ).toEqual(['ONLY_THIS=yes', 'PATH=/usr/bin:/bin']);
  });

  it('stops the whole process group: TERM first, KILL after the grace period', async () => {
    // The child ignores TERM and starts a grandchild that would outlive it.
    let announced: (line: string) => void = () => undefined;
    const firstLine = new Promise<string>((resolve) => (announced = resolve));
    const p = new SupervisedProcess(
      spec('trap "" TERM; sleep 300 & echo "grandchild $!"; while true; do sleep 0.05; done', {
        killGraceMs: 300,
        onLine: (line) => announced(line),
      }),
    );
    const grandchild = Number((await firstLine).split(' ')[1]);
    expect(alive(grandchild)).toBe(true);
    const result = await p.stop();
    expect(result).toEqual({ exitCode: null, signal: 'SIGKILL', stoppedBy: 'stop' });
    // `sleep` may linger for an instant as a zombie of init; it must be gone or dying.
    const state = (() => {
      try {
        return execFileSync('ps', ['-o', 'stat=', '-p', String(grandchild)])
          .toString()
          .trim();
      } catch {
        return '';
      }
    })();
    expect(state === '' || state.startsWith('Z')).toBe(true);
  });

  it('stops a process that runs past its timeout', async () => {
    const p = new SupervisedProcess(spec('sleep 30', { timeoutMs: 200, killGraceMs: 1_000 }));
    expect(await p.done).toEqual({ exitCode: null, signal: 'SIGTERM', stoppedBy: 'timeout' });
  });
});
