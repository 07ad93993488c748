import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { ApiRequestError, RunnerApiClient, type RunnerSelf } from '../api/runner-api.client';
import { RunnerConfig } from '../config';

export interface RunnerIdentity {
  id: number;
  name: string;
  /** The tags the api holds for this runner (they decide the queues; the claim checks them). */
  tags: string[];
  /** Where the token came from, for the log (never the token itself). */
  source: 'env' | 'file' | 'registration';
}

/** Errors that retrying will not fix: the process stops with this message. */
export class RunnerIdentityError extends Error {}

const RETRY_FOR_MS = 60_000;

/**
 * Who this runner is. The token comes from SEMAPHORE_RUNNER_TOKEN, else the token file, else a registration with
 * SEMAPHORE_RUNNER_REGISTRATION_TOKEN (the new token is written to the token file, mode 0600). The api then tells the
 * runner its id and tags. A token the api refuses is an error: the runner never re-registers behind an admin's back.
 */
@Injectable()
export class RunnerIdentityService {
  private current: RunnerIdentity | null = null;

  constructor(
    private readonly config: RunnerConfig,
    private readonly api: RunnerApiClient,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('RunnerIdentity');
  }

  get identity(): RunnerIdentity {
    if (!this.current) throw new Error('the runner identity is not resolved yet');
    return this.current;
  }

  async resolve(): Promise<RunnerIdentity> {
    const { token, source } = await this.token();
    this.api.useToken(token);
    let self: RunnerSelf;
    try {
      self = await withRetry(() => this.api.self());
    } catch (err) {
      if (err instanceof ApiRequestError && err.status < 500) {
        const hint = source === 'file' ? ` (delete ${this.config.runner.tokenFile} to register again)` : '';
        throw new RunnerIdentityError(`the api refused the runner token: ${err.status} ${err.error}${hint}`);
      }
      throw err;
    }
    const { tags } = this.config.runner;
    if (source !== 'registration' && tags.length && tags.join(',') !== self.tags.join(',')) {
      this.logger.warn(
        { configured: tags, registered: self.tags },
        'SEMAPHORE_RUNNER_TAGS differs from the tags in the api: using the api tags',
      );
    }
    this.current = { id: self.id, name: self.name, tags: self.tags, source };
    return this.current;
  }

  /** `semaphore runner unregister`: the api forgets this runner and the token file is removed. */
  async unregister(): Promise<{ id: number; name: string; tokenFile: string | null }> {
    const { runner } = this.config;
    const token = runner.token ?? (await readToken(runner.tokenFile));
    if (!token) throw new RunnerIdentityError(`not registered: no SEMAPHORE_RUNNER_TOKEN and no ${runner.tokenFile}`);
    this.api.useToken(token);
    let self: RunnerSelf;
    try {
      self = await withRetry(() => this.api.self());
      await withRetry(() => this.api.unregister());
    } catch (err) {
      if (err instanceof ApiRequestError && err.status < 500) {
        throw new RunnerIdentityError(`the api refused the runner token: ${err.status} ${err.error}`);
      }
      throw err;
    }
    const fromFile = !runner.token;
    if (fromFile) await rm(runner.tokenFile, { force: true });
    return { id: self.id, name: self.name, tokenFile: fromFile ? runner.tokenFile : null };
  }

  private async token(): Promise<{ token: string; source: RunnerIdentity['source'] }> {
    const { runner } = this.config;
    if (runner.token) return { token: runner.token, source: 'env' };
    const stored = await readToken(runner.tokenFile);
    if (stored) return { token: stored, source: 'file' };
    if (!runner.registrationToken) {
      throw new RunnerIdentityError(
        `no runner token: set SEMAPHORE_RUNNER_TOKEN, or SEMAPHORE_RUNNER_REGISTRATION_TOKEN to register (token file ${runner.tokenFile})`,
      );
    }
    const registrationToken = runner.registrationToken;
    let registered: { token: string; id: number };
    try {
      registered = await withRetry(() =>
        this.api.register({
          registration_token: registrationToken,
          name: runner.name,
          tags: runner.tags,
          max_parallel_tasks: runner.maxParallelTasks,
          webhook: '',
        }),
      );
    } catch (err) {
      if (err instanceof ApiRequestError && err.status < 500) {
        throw new RunnerIdentityError(`registration refused: ${err.status} ${err.error}`);
      }
      throw err;
    }
    await writeToken(runner.tokenFile, registered.token);
    this.logger.info(
      { event: 'runner.registered', runnerId: registered.id, tokenFile: runner.tokenFile },
      'runner registered',
    );
    return { token: registered.token, source: 'registration' };
  }
}

async function readToken(file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).trim() || null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Written to a 0600 temporary file first, then renamed: never readable by others, never half-written. */
async function writeToken(file: string, token: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  await rename(tmp, file);
}

/** Retries network failures and 5xx answers (the api may still be starting) for a minute. */
async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + RETRY_FOR_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const retryable = !(err instanceof ApiRequestError) || err.status >= 500;
      if (!retryable || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 5_000)));
    }
  }
}
