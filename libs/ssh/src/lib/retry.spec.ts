import type { SshRetryPolicy } from '@semaphore/models';
import { withRetry } from './retry';
import { SshError, SshErrorCode } from './ssh-error';

const policy = (over: Partial<SshRetryPolicy> = {}): SshRetryPolicy => ({
  attempts: 4,
  backoffMs: 100,
  backoffFactor: 3,
  retryOn: [SshErrorCode.ConnectionFailed, SshErrorCode.Timeout],
  ...over,
});

/** A sleep that only records what it was asked to wait. */
function fakeSleep() {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };
}

const connectionFailed = () => new SshError(SshErrorCode.ConnectionFailed, 'connection refused');

describe('withRetry', () => {
  it('retries listed codes with exponential backoff until a run succeeds', async () => {
    const { waits, sleep } = fakeSleep();
    const retries: Array<{ attempt: number; code: string; delayMs: number }> = [];
    const seen: number[] = [];
    const result = await withRetry(
      policy(),
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw connectionFailed();
        return 'done';
      },
      { sleep, onRetry: ({ attempt, error, delayMs }) => retries.push({ attempt, code: error.code, delayMs }) },
    );
    expect(result).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 300]);
    expect(retries).toEqual([
      { attempt: 1, code: 'SSH_CONNECTION_FAILED', delayMs: 100 },
      { attempt: 2, code: 'SSH_CONNECTION_FAILED', delayMs: 300 },
    ]);
  });

  it('makes at most `attempts` runs and throws the last error', async () => {
    const { waits, sleep } = fakeSleep();
    let runs = 0;
    const last = new SshError(SshErrorCode.Timeout, 'last');
    await expect(
      withRetry(
        policy({ attempts: 3 }),
        async () => {
          runs++;
          throw runs === 3 ? last : connectionFailed();
        },
        { sleep },
      ),
    ).rejects.toBe(last);
    expect(runs).toBe(3);
    expect(waits).toEqual([100, 300]);
  });

  it.each([SshErrorCode.AuthenticationFailed, SshErrorCode.HostKeyMismatch])(
    'never retries %s, even when the policy lists it',
    async (code) => {
      const { waits, sleep } = fakeSleep();
      let runs = 0;
      const err = withRetry(
        policy({ retryOn: [code, SshErrorCode.ConnectionFailed] }),
        async () => {
          runs++;
          throw new SshError(code, 'no');
        },
        { sleep },
      );
      await expect(err).rejects.toMatchObject({ code });
      expect(runs).toBe(1);
      expect(waits).toEqual([]);
    },
  );

  it('does not retry codes the policy does not list, nor errors that are not SshErrors', async () => {
    const { sleep } = fakeSleep();
    let runs = 0;
    await expect(
      withRetry(
        policy({ retryOn: [SshErrorCode.Timeout] }),
        async () => {
          runs++;
          throw connectionFailed();
        },
        { sleep },
      ),
    ).rejects.toMatchObject({ code: SshErrorCode.ConnectionFailed });
    await expect(
      withRetry(
        policy(),
        async () => {
          runs++;
          throw new TypeError('a bug');
        },
        { sleep },
      ),
    ).rejects.toBeInstanceOf(TypeError);
    expect(runs).toBe(2);
  });

  it('treats attempts below 1 as a single run', async () => {
    let runs = 0;
    await expect(
      withRetry(
        policy({ attempts: 0 }),
        async () => {
          runs++;
          throw connectionFailed();
        },
        fakeSleep(),
      ),
    ).rejects.toMatchObject({ code: SshErrorCode.ConnectionFailed });
    expect(runs).toBe(1);
  });

  it('stops waiting when the signal aborts and makes no further run', async () => {
    const controller = new AbortController();
    let runs = 0;
    const waitedWith: Array<AbortSignal | undefined> = [];
    const sleep = (_ms: number, signal?: AbortSignal) => {
      waitedWith.push(signal);
      // The wait ends only through the abort.
      return new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));
    };
    const first = connectionFailed();
    const result = withRetry(
      policy(),
      async () => {
        runs++;
        throw first;
      },
      { sleep, signal: controller.signal, onRetry: () => queueMicrotask(() => controller.abort()) },
    );
    await expect(result).rejects.toBe(first);
    expect(runs).toBe(1);
    expect(waitedWith).toEqual([controller.signal]);
  });

  it('the default sleep also ends early on abort', async () => {
    const controller = new AbortController();
    let runs = 0;
    const result = withRetry(
      policy({ backoffMs: 3_600_000 }),
      async () => {
        runs++;
        throw connectionFailed();
      },
      { signal: controller.signal, onRetry: () => queueMicrotask(() => controller.abort()) },
    );
    await expect(result).rejects.toMatchObject({ code: SshErrorCode.ConnectionFailed });
    expect(runs).toBe(1);
  });
});
