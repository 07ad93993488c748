import { SshError, type SshConnectionPool, type SshTarget } from '@semaphore/ssh';
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
}

export interface RunOnHostsSummary {
  ok: boolean;
  failed: number;
  results: HostResult[];
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
  const results: HostResult[] = new Array(hosts.length);
  let next = 0;
  const worker = async () => {
    while (next < hosts.length && !opts.signal?.aborted) {
      const i = next++;
      results[i] = await runOnHost(hosts[i], command, opts);
    }
  };
  const width = Math.max(1, Math.min(opts.parallelism, hosts.length));
  await Promise.all(Array.from({ length: width }, worker));
  const done = results.filter(Boolean);
  const failed = done.filter((r) => r.code !== 0).length + (hosts.length - done.length);
  return { ok: failed <= opts.tolerateFailures, failed, results: done };
}

async function runOnHost(host: HostTarget, command: string, opts: RunOnHostsOptions): Promise<HostResult> {
  const started = Date.now();
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
    });
    emit('stdout', splitters.stdout.flush());
    emit('stderr', splitters.stderr.flush());
    return { host: host.name, code, error: null, durationMs: Date.now() - started };
  } catch (err) {
    emit('stdout', splitters.stdout.flush());
    emit('stderr', splitters.stderr.flush());
    const error =
      err instanceof SshError
        ? { code: err.code, message: err.message }
        : { code: 'SSH_CONNECTION_FAILED', message: err instanceof Error ? err.message : String(err) };
    return { host: host.name, code: null, error, durationMs: Date.now() - started };
  }
}
