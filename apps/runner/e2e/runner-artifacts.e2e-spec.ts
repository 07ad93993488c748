import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppId, TaskStatus } from '@semaphore/models';
import { startApiStack, type ApiClient, type ApiStack } from '@semaphore/testing';
import { ApiRequestError, RunnerApiClient } from '../src/api/runner-api.client';
import { loadRunnerConfig } from '../src/config';

// Row types come from the factories: the runner app may not import database code (lint boundary).
type TemplateRow = Awaited<ReturnType<ApiStack['factories']['template']>>;

const MiB = 1024 * 1024;
const LIMIT = 8 * MiB;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function ed25519Line(host: string): string {
  const type = Buffer.from('ssh-ed25519');
  const key = randomBytes(32);
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  return `${host} ssh-ed25519 ${Buffer.concat([u32(type.length), type, u32(key.length), key]).toString('base64')}`;
}

async function apiError(work: Promise<unknown>): Promise<ApiRequestError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof ApiRequestError) return err;
    throw err;
  }
  throw new Error('expected an ApiRequestError');
}

describe('RunnerApiClient: artifact uploads and recorded host keys against the real api', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runner-artifacts-'));
  let stack: ApiStack;
  let admin: ApiClient;
  let projectId: number;
  let template: TemplateRow;
  let holder: RunnerApiClient;
  let holderId: number;
  let stranger: RunnerApiClient;

  beforeAll(async () => {
    stack = await startApiStack({
      SEMAPHORE_ARTIFACTS_PATH: join(dir, 'artifacts'),
      SEMAPHORE_MAX_ARTIFACT_BYTES: String(LIMIT),
    });
    admin = (await stack.withToken({ admin: true })).client;
    projectId = (await stack.factories.project()).id;
    template = await stack.factories.template(projectId, { app: AppId.Bash, playbook: 'run.sh' });
    const client = async (name: string) => {
      const res = await admin.post<{ id: number; token: string }>('/api/runners', { name });
      expect(res.status).toBe(201);
      const api = new RunnerApiClient(loadRunnerConfig({ SEMAPHORE_API_URL: stack.baseUrl }));
      api.useToken(res.body.token);
      return { api, id: res.body.id };
    };
    ({ api: holder, id: holderId } = await client('holder'));
    ({ api: stranger } = await client('stranger'));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const heldTask = () => stack.factories.task(template, { status: TaskStatus.Running, runnerId: holderId });
  const localFile = async (name: string, content: Buffer) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };

  it('uploads a multi-MB file that users then download byte-identical', async () => {
    const task = await heldTask();
    const content = randomBytes(6 * MiB + 17);
    await holder.uploadArtifact(task.id, 'web1/var/log/syslog', await localFile('syslog', content));
    const list = await admin.get<Array<{ path: string; size: number }>>(
      `/api/project/${projectId}/tasks/${task.id}/artifacts`,
    );
    expect(list.body).toEqual([expect.objectContaining({ path: 'web1/var/log/syslog', size: content.length })]);
    const res = await fetch(
      `${stack.baseUrl}/api/project/${projectId}/tasks/${task.id}/artifacts/file?path=web1%2Fvar%2Flog%2Fsyslog`,
      { headers: { authorization: `Bearer ${admin.bearerToken}` } },
    );
    expect(res.status).toBe(200);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(content));
    // The local file is left as it was.
    expect(sha256(await readFile(join(dir, 'syslog')))).toBe(sha256(content));
  });

  it('reports refusals as ApiRequestError with the status and the api error', async () => {
    const task = await heldTask();
    const small = await localFile('small', Buffer.from('x'));
    const bad = await apiError(holder.uploadArtifact(task.id, '../escape', small));
    expect(bad.status).toBe(400);
    expect(bad.error).toMatch(/^path must stay inside/);
    const other = await apiError(stranger.uploadArtifact(task.id, 'x', small));
    expect(other.status).toBe(403);
    const big = await apiError(
      holder.uploadArtifact(task.id, 'big.bin', await localFile('big', randomBytes(LIMIT + 1))),
    );
    expect(big.status).toBe(413);
    expect(big.error).toBe(`body is larger than ${LIMIT} bytes`);
    expect((await admin.get(`/api/project/${projectId}/tasks/${task.id}/artifacts`)).body).toEqual([]);
  });

  it('records a host key once in the project known hosts; refuses a malformed line', async () => {
    const task = await heldTask();
    const line = ed25519Line('[web1.example.test]:2222');
    await holder.recordHostKey(task.id, line);
    await holder.recordHostKey(task.id, line);
    const options = await admin.get<Record<string, string>>('/api/options');
    expect(options.status).toBe(200);
    expect(options.body[`project.${projectId}.ssh.known_hosts`]).toBe(`${line}\n`);

    const malformed = await apiError(holder.recordHostKey(task.id, 'web1 ssh-ed25519 not!base64'));
    expect(malformed.status).toBe(400);
    expect(malformed.error).toMatch(/^line /);
    expect((await apiError(stranger.recordHostKey(task.id, ed25519Line('web2')))).status).toBe(403);
  });
});
