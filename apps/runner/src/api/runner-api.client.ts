import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { RUNNER_TOKEN_HEADER, type CommitCheckReport, type CommitCheckSpec, type JobSpec } from '@semaphore/models';
import { RunnerConfig } from '../config';
import { sendStream } from './stream-upload';

/** An HTTP answer from the api that is not a success; `error` is the `{"error": ...}` text when there is one. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    what: string,
  ) {
    super(`${what}: ${status} ${error}`);
    this.name = 'ApiRequestError';
  }
}

/** The runner as the api knows it (`GET /api/internal/runners/me`). */
export interface RunnerSelf {
  id: number;
  name: string;
  project_id: number | null;
  tags: string[];
  max_parallel_tasks: number;
  active: boolean;
}

export interface Registration {
  registration_token: string;
  name: string;
  tags: string[];
  max_parallel_tasks: number;
  webhook: string;
}

const TIMEOUT_MS = 15_000;
/** An artifact upload has no overall deadline (its size sets its length); it fails when nothing moves this long. */
const UPLOAD_IDLE_TIMEOUT_MS = 60_000;

/**
 * The runner's side of `/api/internal/runners`. The token goes in the `X-Runner-Token` header only; request and
 * response bodies (a JobSpec holds decrypted secrets) are never logged.
 */
@Injectable()
export class RunnerApiClient {
  private token: string | null = null;

  constructor(private readonly config: RunnerConfig) {}

  useToken(token: string): void {
    this.token = token;
  }

  async register(body: Registration): Promise<{ token: string; id: number }> {
    return this.request('POST', 'api/internal/runners', 'registration', body, false);
  }

  /** Deletes this runner in the api (its token stops working). */
  async unregister(): Promise<void> {
    await this.request('DELETE', 'api/internal/runners', 'unregistration');
  }

  self(): Promise<RunnerSelf> {
    return this.request('GET', 'api/internal/runners/me', 'runner lookup');
  }

  /** @throws ApiRequestError (409: not claimable; the job must end without running anything) */
  claim(taskId: number): Promise<JobSpec> {
    return this.request('POST', `api/internal/runners/tasks/${taskId}/claim`, `claim of task ${taskId}`, {});
  }

  /** The repository of a "run on a new commit" schedule (key decrypted: never logged). */
  commitCheck(scheduleId: number): Promise<CommitCheckSpec> {
    return this.request('GET', `api/internal/runners/commit-checks/${scheduleId}`, `commit check ${scheduleId}`);
  }

  reportCommit(scheduleId: number, report: CommitCheckReport): Promise<{ fired: boolean; task_id: number | null }> {
    return this.request(
      'POST',
      `api/internal/runners/commit-checks/${scheduleId}`,
      `commit report ${scheduleId}`,
      report,
    );
  }

  /**
   * Streams the local file `file` to the artifact `path` (relative) of a task this runner holds, replacing a file
   * there; the file is never read into memory.
   * @throws ApiRequestError (400: bad path; 403/409: the task is not held; 413: larger than the api accepts)
   */
  async uploadArtifact(taskId: number, path: string, file: string): Promise<void> {
    const what = `upload of artifact ${path} of task ${taskId}`;
    if (!this.token) throw new Error(`${what}: no runner token yet`);
    const { size } = await stat(file);
    const url = new URL(`api/internal/runners/tasks/${taskId}/artifacts`, this.config.apiUrl);
    url.searchParams.set('path', path);
    const headers = {
      accept: 'application/json',
      'content-type': 'application/octet-stream',
      'content-length': String(size),
      [RUNNER_TOKEN_HEADER]: this.token,
    };
    const res = await sendStream('PUT', url, headers, createReadStream(file), UPLOAD_IDLE_TIMEOUT_MS);
    if (res.status < 200 || res.status > 299) throw new ApiRequestError(res.status, errorText(res.text), what);
  }

  /**
   * Records a host key trusted on first use (accept-new) in the known hosts of the task's project, so later runs
   * verify it; a line known already is not added twice. `line`: `[host]:port keytype base64`.
   * @throws ApiRequestError (400: not a known_hosts entry; 403/409: the task is not held)
   */
  async recordHostKey(taskId: number, line: string): Promise<void> {
    await this.request('POST', `api/internal/runners/tasks/${taskId}/known-hosts`, `host key of task ${taskId}`, {
      line,
    });
  }

  private async request<T>(method: string, path: string, what: string, body?: unknown, auth = true): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth) {
      if (!this.token) throw new Error(`${what}: no runner token yet`);
      headers[RUNNER_TOKEN_HEADER] = this.token;
    }
    const res = await fetch(new URL(path, this.config.apiUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiRequestError(res.status, errorText(text), what);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error.slice(0, 500);
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}
