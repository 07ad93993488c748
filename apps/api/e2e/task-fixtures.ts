import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import type { DataSource } from 'typeorm';
import {
  ApiClient,
  Factories,
  createGitRepository,
  spawnRunnerProcess,
  type ManagedProcess,
  type RepositoryFile,
} from '@semaphore/testing';

/** The registration token the e2e api processes and their runners share. */
export const E2E_REGISTRATION_TOKEN = 'e2e-registration-token-0123456789';

export interface RunnerOptions {
  redisUrl: string;
  redisPrefix: string;
  apiUrl: string;
  /** Token file and working directory go under here. */
  root: string;
  name?: string;
  env?: Record<string, string>;
}

/** Starts a runner process that registers with E2E_REGISTRATION_TOKEN; resolves once it is ready. */
export async function startRunner(options: RunnerOptions): Promise<ManagedProcess> {
  const name = options.name ?? 'runner';
  const runner = spawnRunnerProcess({
    redisUrl: options.redisUrl,
    redisPrefix: options.redisPrefix,
    apiUrl: options.apiUrl,
    env: {
      SEMAPHORE_RUNNER_NAME: name,
      SEMAPHORE_RUNNER_REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN,
      SEMAPHORE_RUNNER_TOKEN_FILE: join(options.root, `${name}.token`),
      SEMAPHORE_TMP_PATH: join(options.root, `${name}-work`),
      ...options.env,
    },
  });
  await runner.waitForLog((l) => l.msg === 'runner ready', 30_000);
  return runner;
}

/** A new administrator in `dataSource` (a database of the test's own), logged in at `baseUrl` with an API token. */
export async function adminClient(dataSource: DataSource, baseUrl: string): Promise<ApiClient> {
  const password = 'e2e admin password';
  const admin = await new Factories(dataSource).user({ admin: true, password: await bcrypt.hash(password, 4) });
  return (await new ApiClient(baseUrl).login(admin.username, password)).tokenClient();
}

export interface BashProject {
  projectPath: string;
  repositoryId: number;
  environmentId: number;
  /** Creates a bash template running `playbook` from the repository; returns its id. */
  template(name: string, playbook: string, extra?: Record<string, unknown>): Promise<number>;
}

/**
 * Through the API: a project, a repository holding `scripts` (a local git repository under `root`, no key) and an
 * environment (`env` as its environment variables; the project's default `Empty` one without).
 */
export async function createBashProject(
  client: ApiClient,
  root: string,
  name: string,
  scripts: Record<string, RepositoryFile>,
  env?: Record<string, string>,
): Promise<BashProject> {
  const project = await client.post<{ id: number }>('/api/projects', { name });
  const projectPath = `/api/project/${project.body.id}`;
  const keys = await client.get<Array<{ id: number; name: string }>>(`${projectPath}/keys`);
  const url = createGitRepository(join(root, `${name}-repo`), scripts);
  const repo = await client.post(`${projectPath}/repositories`, {
    name: 'scripts',
    git_url: url,
    git_branch: 'main',
    ssh_key_id: keys.body.find((k) => k.name === 'None')?.id,
  });
  if (repo.status !== 204) throw new Error(`repository: ${repo.status} ${repo.text}`);
  const repositoryId = (await client.get<Array<{ id: number }>>(`${projectPath}/repositories`)).body[0].id;
  if (env) {
    const created = await client.post(`${projectPath}/environment`, {
      name: 'e2e',
      json: '{}',
      env: JSON.stringify(env),
    });
    if (created.status !== 204) throw new Error(`environment: ${created.status} ${created.text}`);
  }
  const envs = await client.get<Array<{ id: number; name: string }>>(`${projectPath}/environment`);
  const environmentId = (envs.body.find((e) => e.name === (env ? 'e2e' : 'Empty')) ?? envs.body[0]).id;
  return {
    projectPath,
    repositoryId,
    environmentId,
    template: async (templateName, playbook, extra = {}) => {
      const created = await client.post<{ id: number }>(`${projectPath}/templates`, {
        name: templateName,
        app: 'bash',
        playbook,
        repository_id: repositoryId,
        environment_id: environmentId,
        ...extra,
      });
      if (created.status !== 201) throw new Error(`template: ${created.status} ${created.text}`);
      return created.body.id;
    },
  };
}
