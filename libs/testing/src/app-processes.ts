import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseConnectionConfig } from '@semaphore/persistence';
import { freePort } from './free-port';
import { ManagedProcess, baseProcessEnv } from './managed-process';

const WORKSPACE = join(__dirname, '../../..');

/** Path of a compiled entry point; e2e tests run the built processes exactly as users do (`npm run build` first). */
export function builtEntry(relative: string): string {
  // SEMAPHORE_TEST_DIST lets parallel work build into separate output folders.
  const file = join(process.env.SEMAPHORE_TEST_DIST ?? join(WORKSPACE, 'dist'), relative);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` before the e2e tests`);
  return file;
}

export function randomKey(): string {
  return randomBytes(32).toString('base64');
}

export interface ApiProcessOptions {
  db: DatabaseConnectionConfig;
  redisUrl: string;
  redisPrefix: string;
  env?: Record<string, string>;
  /** Listen on this port (e.g. to restart a replica where its clients expect it); default: a free one. */
  port?: number;
}

export interface ApiProcess {
  process: ManagedProcess;
  port: number;
  baseUrl: string;
}

/** Starts `semaphore server` (migrations, then the api) and waits until it listens. */
export async function startApiProcess(options: ApiProcessOptions): Promise<ApiProcess> {
  const port = options.port ?? (await freePort());
  const env: Record<string, string> = {
    ...baseProcessEnv(),
    SEMAPHORE_DB_HOST: options.db.host,
    SEMAPHORE_DB_PORT: String(options.db.port),
    SEMAPHORE_DB_USER: options.db.username,
    SEMAPHORE_DB_PASS: options.db.password,
    SEMAPHORE_DB: options.db.database,
    REDIS_URL: options.redisUrl,
    SEMAPHORE_REDIS_PREFIX: options.redisPrefix,
    SEMAPHORE_PORT: String(port),
    SEMAPHORE_INTERFACE: '127.0.0.1',
    SEMAPHORE_ACCESS_KEY_ENCRYPTION: randomKey(),
    SEMAPHORE_COOKIE_HASH: randomKey(),
    SEMAPHORE_LOG_LEVEL: 'info',
    ...options.env,
  };
  const proc = new ManagedProcess(process.execPath, [builtEntry('apps/api/src/cli/main.js'), 'server'], env);
  await proc.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('api listening'), 30_000);
  return { process: proc, port, baseUrl: `http://127.0.0.1:${port}` };
}

export interface RunnerProcessOptions {
  redisUrl: string;
  redisPrefix: string;
  apiUrl?: string;
  env?: Record<string, string>;
}

/** Starts `semaphore runner`; resolve `ready` with `process.waitForLog(...)`. */
export function spawnRunnerProcess(options: RunnerProcessOptions): ManagedProcess {
  const env: Record<string, string> = {
    ...baseProcessEnv(),
    REDIS_URL: options.redisUrl,
    SEMAPHORE_REDIS_PREFIX: options.redisPrefix,
    SEMAPHORE_API_URL: options.apiUrl ?? 'http://127.0.0.1:3000',
    SEMAPHORE_LOG_LEVEL: 'info',
    ...options.env,
  };
  return new ManagedProcess(process.execPath, [builtEntry('apps/api/src/cli/main.js'), 'runner'], env);
}
