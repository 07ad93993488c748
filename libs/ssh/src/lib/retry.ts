import type { SshRetryPolicy } from '@semaphore/models';
import { SshError, SshErrorCode } from './ssh-error';

export interface RetryOptions {
  /** Aborting stops the wait before the next attempt: the last error is thrown. */
  signal?: AbortSignal;
  /** Before each wait. `attempt` is the number (from 1) of the run that just failed. */
  onRetry?(info: { attempt: number; error: SshError; delayMs: number }): void;
  /** The wait between attempts (a port: tests pass a fake). */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Never retried, whatever a policy says: another attempt cannot fix a wrong credential or a wrong host key. */
const NEVER_RETRIED: ReadonlySet<string> = new Set([SshErrorCode.AuthenticationFailed, SshErrorCode.HostKeyMismatch]);

/**
 * Runs `run` (given the attempt number, from 1) up to `policy.attempts` times in all. Only an `SshError` whose code
 * is in `policy.retryOn` is retried, never an authentication or host key failure; anything else is thrown at once.
 * The wait before retry n is `backoffMs * backoffFactor^(n-1)`.
 */
export async function withRetry<T>(
  policy: SshRetryPolicy,
  run: (attempt: number) => Promise<T>,
  opts: RetryOptions = {},
): Promise<T> {
  const attempts = Math.max(1, Math.floor(policy.attempts) || 1);
  const sleep = opts.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryable(policy, error) || opts.signal?.aborted) throw error;
      const delayMs = Math.max(0, policy.backoffMs * Math.pow(policy.backoffFactor, attempt - 1));
      opts.onRetry?.({ attempt, error, delayMs });
      if (!opts.signal?.aborted) await sleep(delayMs, opts.signal);
      if (opts.signal?.aborted) throw error;
    }
  }
}

function retryable(policy: SshRetryPolicy, error: unknown): error is SshError {
  return error instanceof SshError && !NEVER_RETRIED.has(error.code) && policy.retryOn.includes(error.code);
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
