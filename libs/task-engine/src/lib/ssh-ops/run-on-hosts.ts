import type { SshRetryPolicy } from '@semaphore/models';
import { SshError, SshErrorCode, withRetry, type SshConnectionPool, type SshTarget } from '@semaphore/ssh';
import { LineSplitter } from '../line-splitter';

export interface HostTarget {
  /** The inventory name of the host, used as the prefix of its output lines. */
  name: string;
  target: SshTarget;
}

export interface HostResult {
  host: string;
  /** The command's exit code; null when it never ran or was killed. */
  code: number | null;
  /** Why the host failed before or around the command (connection, authentication, timeout...). */
  error: { code: string; message: string } | null;
  durationMs: number;
  /** Runs made (more than 1 after retries). */
  attempts: number;
}

export interface RunOnHostsOptions {
  pool: SshConnectionPool;
  /** At most this many hosts at once (at least 1). */
  parallelism: number;
  /** The run succeeds while at most this many hosts fail. */
  tolerateFailures: number;
  onLine(host: string, stream: 'stdout' | 'stderr', line: string): void;
  signal?: AbortSignal;
  /** Per host, for the command itself. */
  timeoutMs?: number;
  /** Per host: no output for this long fails the command with SSH_TIMEOUT. */
  idleTimeoutMs?: number;
  /** Sent to the command's standard input, then closed (e.g. a script for `/bin/sh -s`). */
  stdin?: string;
  /** Per host; a non-zero exit is retried only when the policy names SSH_COMMAND_FAILED. */
  retry?: SshRetryPolicy;
  onRetry?(host: string, info: { attempt: number; error: SshError; delayMs: number }): void;
}

export interface RunOnHostsSummary {
  ok: boolean;
  failed: number;
  results: HostResult[];
}

/**
 * Calls `work` for every host with at most `parallelism` at once, in the order of `hosts`; hosts not started when the
 * signal aborts are left out (undefined in the result).
 */
export async function forEachHost<H, T>(
  hosts: readonly H[],
  parallelism: number,
  signal: AbortSignal | undefined,
  work: (host: H) => Promise<T>,
): Promise<Array<T | undefined>> {
  const results: Array<T | undefined> = new Array(hosts.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    while (next < hosts.length && !signal?.aborted) {
      const i = next++;
      results[i] = await work(hosts[i]);
    }
  };
  const width = Math.max(1, Math.min(parallelism, hosts.length));
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** A failure as a typed `{code, message}` (anything that is not an SshError counts as a lost connection). */
export function hostError(err: unknown): { code: string; message: string } {
  return err instanceof SshError
    ? { code: err.code, message: err.message }
    : { code: SshErrorCode.ConnectionFailed, message: err instanceof Error ? err.message : String(err) };
}

/**
 * Runs one command on every host with bounded parallelism, one pooled connection per host, output split into lines
 * per host and stream. A host fails when it cannot be reached or its command exits non-zero; the run is ok while
 * the failures stay within `tolerateFailures`. Results are in the order of `hosts`.
 */
export async function runOnHosts(
  hosts: readonly HostTarget[],
  command: string,
  opts: RunOnHostsOptions,
): Promise<RunOnHostsSummary> {
  const all = await forEachHost(hosts, opts.parallelism, opts.signal, (h) => runOnHost(h, command, opts));
  const done = all.filter((r): r is HostResult => r !== undefined);
  const failed = done.filter((r) => r.code !== 0).length + (hosts.length - done.length);
  return { ok: failed <= opts.tolerateFailures, failed, results: done };
}

const NO_RETRY: SshRetryPolicy = { attempts: 1, backoffMs: 0, backoffFactor: 1, retryOn: [] };

async function runOnHost(host: HostTarget, command: string, opts: RunOnHostsOptions): Promise<HostResult> {
  const started = Date.now();
  let attempts = 0;
  let lastCode: number | null = null;
  const policy = opts.retry ?? NO_RETRY;
  try {
    await withRetry(
      policy,
      async () => {
        attempts++;
        lastCode = await execOnce(host, command, opts);
        if (lastCode !== 0 && policy.retryOn.includes(SshErrorCode.CommandFailed)) {
          throw new SshError(SshErrorCode.CommandFailed, `the command exited with ${lastCode ?? 'a signal'}`);
        }
      },
      { signal: opts.signal, onRetry: (info) => opts.onRetry?.(host.name, info) },
    );
    return { host: host.name, code: lastCode, error: null, durationMs: Date.now() - started, attempts };
  } catch (err) {
    if (err instanceof SshError && err.code === SshErrorCode.CommandFailed && lastCode !== null) {
      // Retries of a failing command used up: the host failed with its exit code.
      return { host: host.name, code: lastCode, error: null, durationMs: Date.now() - started, attempts };
    }
    return { host: host.name, code: null, error: hostError(err), durationMs: Date.now() - started, attempts };
  }
}

/** One run of the command; output lines go out as they come. */
async function execOnce(host: HostTarget, command: string, opts: RunOnHostsOptions): Promise<number | null> {
  const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  const emit = (stream: 'stdout' | 'stderr', lines: string[]) => {
    for (const line of lines) opts.onLine(host.name, stream, line);
  };
  try {
    const conn = await opts.pool.get(host.target);
    const { code } = await conn.execStream(command, {
      onStdout: (d) => emit('stdout', splitters.stdout.push(d)),
      onStderr: (d) => emit('stderr', splitters.stderr.push(d)),
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
      idleTimeoutMs: opts.idleTimeoutMs,
      stdin: opts.stdin,
    });
    return code;
  } finally {
    emit('stdout', splitters.stdout.flush());
    emit('stderr', splitters.stderr.flush());
  }
}
