import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port';

/** The shared test Redis: REDIS_URL, default redis://127.0.0.1:6379 (started by scripts/bootstrap-services.sh). */
export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A key prefix no other test uses: `semtest:<label>:<12 hex chars>`. Use it for keys, queue prefixes and streams. */
export function uniqueRedisPrefix(label = 'test'): string {
  const safeLabel = label.replace(/[^A-Za-z0-9_.-]/g, '-') || 'test';
  return `semtest:${safeLabel}:${randomBytes(6).toString('hex')}`;
}

export interface TestRedis {
  /** Connected client on the shared test Redis (no ioredis keyPrefix: BullMQ refuses it; use `prefix` yourself). */
  readonly client: Redis;
  /** Every key the test writes must start with this prefix; `cleanup()` deletes exactly those keys. */
  readonly prefix: string;
  readonly url: string;
  /** Deletes every key starting with `prefix` (SCAN + UNLINK, never KEYS) and quits the client. Idempotent. */
  cleanup(): Promise<void>;
}

/** Connects to the shared test Redis with a fresh prefix for one test file. Call `cleanup()` in afterAll. */
export async function createTestRedis(prefix: string = uniqueRedisPrefix()): Promise<TestRedis> {
  if (prefix.length === 0)
    throw new Error('createTestRedis: the prefix must not be empty (cleanup would delete everything)');
  const url = testRedisUrl();
  const client = new Redis(url, { lazyConnect: true });
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new Error(
      `cannot connect to the test Redis at ${redactUrl(url)} (start it with scripts/bootstrap-services.sh): ${String(err)}`,
    );
  }
  let cleaned = false;
  return {
    client,
    prefix,
    url,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await deleteKeysWithPrefix(client, prefix);
      await client.quit();
    },
  };
}

/** Deletes every key starting with `prefix`, SCAN by SCAN. Returns how many keys were deleted. */
export async function deleteKeysWithPrefix(client: Redis, prefix: string): Promise<number> {
  const match = `${escapeGlob(prefix)}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    if (keys.length > 0) deleted += await client.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}

export interface StartRedisServerOptions {
  /** Append-only persistence (appendfsync always, so even a SIGKILL keeps acknowledged writes). Default false. */
  appendonly?: boolean;
  /** Data directory. Pass the `dir` of a stopped server to restart on its data; it is then not removed by stop(). */
  dir?: string;
  /** Default 10 s. */
  readyTimeoutMs?: number;
  /** Listen on this port (e.g. to restart a killed server where its clients reconnect); default: a free one. */
  port?: number;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** SIGTERM (Redis saves the append-only file and exits), waits for the exit; removes `dir` unless it was given. */
  stop(): Promise<void>;
  /** SIGKILL (a crash), waits for the exit; removes `dir` unless it was given. */
  kill(): Promise<void>;
  /** The server's log so far (last 64 KiB). */
  output(): string;
}

/**
 * Starts a dedicated redis-server on a free loopback port with its own data directory, for tests that need
 * persistence or must stop Redis. Resolves once it answers PING.
 */
export async function startRedisServer(opts: StartRedisServerOptions = {}): Promise<RedisServer> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'semtest-redis-')));
  try {
    if (opts.port !== undefined) return await launchRedis(opts.port, dir, ownDir, opts);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        return await launchRedis(port, dir, ownDir, opts);
      } catch (err) {
        // The port was taken between freePort() and the bind: try another one.
        if (attempt >= 3 || !(err instanceof ServerExitedError) || !err.output.includes('Address already in use')) {
          throw err;
        }
      }
    }
  } catch (err) {
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function launchRedis(
  port: number,
  dir: string,
  ownDir: boolean,
  opts: StartRedisServerOptions,
): Promise<RedisServer> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--logfile', ''];
  args.push('--save', '', '--appendonly', opts.appendonly ? 'yes' : 'no', '--appendfsync', 'always');
  // A minimal environment: the test runner's environment has no business in the server.
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
  const log = captureOutput(child);
  const exited = processEnded(child);
  const finish = async (signal: NodeJS.Signals): Promise<void> => {
    await terminate(child, exited, signal);
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForOutput(child, log, /Ready to accept connections/, opts.readyTimeoutMs ?? 10_000, 'redis-server');
    await pingRedis(port);
  } catch (err) {
    await terminate(child, exited, 'SIGKILL');
    throw err;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    stop: () => finish('SIGTERM'),
    kill: () => finish('SIGKILL'),
    output: log.text,
  };
}

/** Sends PING over a raw socket and expects +PONG. */
function pingRedis(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setNoDelay(true);
    socket.setTimeout(5_000, () => socket.destroy(new Error(`redis on port ${port} did not answer PING`)));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (!reply.includes('\r\n')) return;
      socket.destroy();
      if (reply.startsWith('+PONG')) resolve();
      else reject(new Error(`redis on port ${port} answered PING with ${JSON.stringify(reply)}`));
    });
    socket.on('error', reject);
  });
}

class ServerExitedError extends Error {
  constructor(
    what: string,
    readonly output: string,
  ) {
    super(`${what} exited before it was ready:\n${output}`);
  }
}

interface OutputLog {
  text(): string;
}

/** Keeps the last 64 KiB of stdout and stderr (always drained, so the server never blocks on a full pipe). */
function captureOutput(child: ChildProcess): OutputLog {
  let text = '';
  const append = (chunk: Buffer): void => {
    text = (text + chunk.toString('utf8')).slice(-65_536);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return { text: () => text };
}

/** Resolves when the output matches `pattern`; rejects when the process ends first or after `timeoutMs`. */
function waitForOutput(
  child: ChildProcess,
  log: OutputLog,
  pattern: RegExp,
  timeoutMs: number,
  what: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!pattern.test(log.text())) return;
      done();
      resolve();
    };
    const onClose = (): void => {
      done();
      reject(new ServerExitedError(what, log.text()));
    };
    const onError = (err: Error): void => {
      done();
      reject(new Error(`cannot run ${what} (scripts/bootstrap-services.sh installs it): ${err.message}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what} was not ready after ${timeoutMs} ms:\n${log.text()}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('close', onClose);
      child.off('error', onError);
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('close', onClose);
    child.once('error', onError);
    check();
  });
}

/** Resolves when the process has exited or could not be started at all (also keeps 'error' from being unhandled). */
function processEnded(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.on('error', () => resolve());
  });
}

/** Sends `signal` unless the process already ended, then waits for its exit (SIGKILL after 10 s). */
async function terminate(child: ChildProcess, exited: Promise<void>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  const escalate = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    await exited;
  } finally {
    clearTimeout(escalate);
  }
}

function escapeGlob(value: string): string {
  return value.replace(/[\\*?[\]^-]/g, '\\$&');
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid REDIS_URL>';
  }
}
