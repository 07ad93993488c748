import { readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  spawnRunnerProcess,
  startApiStack,
  type ApiClient,
  type ApiStack,
  type ManagedProcess,
} from '@semaphore/testing';

const REGISTRATION_TOKEN = 'bench-registration-token-0123456789';

export interface BenchStackOptions {
  runners: number;
  runnerParallel: number;
  /** Extra environment of the api and runner processes (e.g. NODE_OPTIONS for a CPU profile). */
  processEnv?: Record<string, string>;
}

export interface TemplateScript {
  name: string;
  script: string;
  allowParallel: boolean;
}

export interface ProcessMemory {
  rssKb: number | null;
  peakKb: number | null;
}

/**
 * One api process (own database and Redis prefix, as in the e2e tests) and `runners` runner processes, with an admin
 * token, a project, and a local-directory repository (used in place: no git clone per task) holding the scripts.
 */
export class BenchStack {
  private constructor(
    readonly stack: ApiStack,
    readonly runners: ManagedProcess[],
    readonly admin: ApiClient,
    readonly token: string,
    readonly projectPath: string,
    private readonly root: string,
    private readonly repositoryId: number,
    private readonly environmentId: number,
  ) {}

  static async start(opts: BenchStackOptions): Promise<BenchStack> {
    const root = mkdtempSync(join(tmpdir(), 'sembench-'));
    const stack = await startApiStack({
      SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
      SEMAPHORE_MAX_PARALLEL_TASKS: '0',
      SEMAPHORE_TMP_PATH: join(root, 'api'),
      ...opts.processEnv,
    }).catch((err: unknown) => {
      rmSync(root, { recursive: true, force: true });
      throw err;
    });
    const runners: ManagedProcess[] = [];
    try {
      for (let i = 0; i < opts.runners; i++) {
        runners.push(
          spawnRunnerProcess({
            redisUrl: stack.redis.url,
            redisPrefix: stack.redis.prefix,
            apiUrl: stack.baseUrl,
            env: {
              SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
              SEMAPHORE_RUNNER_NAME: `bench-runner-${i + 1}`,
              SEMAPHORE_RUNNER_TOKEN_FILE: join(root, `runner-${i + 1}.token`),
              SEMAPHORE_RUNNER_MAX_PARALLEL_TASKS: String(opts.runnerParallel),
              SEMAPHORE_TMP_PATH: join(root, `runner-${i + 1}`),
              ...opts.processEnv,
            },
          }),
        );
      }
      await Promise.all(runners.map((r) => r.waitForLog((l) => l.msg === 'runner ready', 60_000)));

      const logged = await stack.loggedIn({ admin: true });
      const admin = await logged.client.tokenClient();
      const project = await expectOk(admin.post<{ id: number }>('/api/projects', { name: 'bench' }), 'create project');
      const projectPath = `/api/project/${project.id}`;
      const keys = await expectOk(admin.get<Array<{ id: number; name: string }>>(`${projectPath}/keys`), 'list keys');
      const repoDir = join(root, 'scripts');
      mkdirSync(repoDir);
      await expectOk(
        admin.post(`${projectPath}/repositories`, {
          name: 'scripts',
          git_url: repoDir,
          git_branch: '',
          ssh_key_id: keys.find((k) => k.name === 'None')?.id,
        }),
        'create repository',
      );
      const repos = await expectOk(admin.get<Array<{ id: number }>>(`${projectPath}/repositories`), 'list repos');
      await expectOk(admin.post(`${projectPath}/environment`, { name: 'bench', json: '{}', env: '{}' }), 'create env');
      const envs = await expectOk(admin.get<Array<{ id: number }>>(`${projectPath}/environment`), 'list envs');
      return new BenchStack(stack, runners, admin, admin.bearerToken ?? '', projectPath, root, repos[0].id, envs[0].id);
    } catch (err) {
      await Promise.all(runners.map((r) => r.stop()));
      await stack.stop();
      rmSync(root, { recursive: true, force: true });
      throw err;
    }
  }

  get baseUrl(): string {
    return this.stack.baseUrl;
  }

  /** Writes the script into the repository directory and creates a bash template running it. */
  async template(t: TemplateScript): Promise<number> {
    writeFileSync(join(this.root, 'scripts', `${t.name}.sh`), `${t.script}\n`);
    const created = await expectOk(
      this.admin.post<{ id: number }>(`${this.projectPath}/templates`, {
        name: t.name,
        app: 'bash',
        playbook: `${t.name}.sh`,
        repository_id: this.repositoryId,
        environment_id: this.environmentId,
        allow_parallel_tasks: t.allowParallel,
      }),
      `create template ${t.name}`,
    );
    return created.id;
  }

  /** POST P/tasks; resolves with the new task's id. */
  async postTask(templateId: number): Promise<number> {
    const res = await this.admin.post<{ id: number }>(`${this.projectPath}/tasks`, { template_id: templateId });
    if (res.status !== 201) throw new Error(`POST tasks answered ${res.status}: ${res.text}`);
    return res.body.id;
  }

  memory(): Record<string, ProcessMemory> {
    const out: Record<string, ProcessMemory> = { api: processMemory(this.stack.api.process.pid) };
    this.runners.forEach((r, i) => (out[`runner-${i + 1}`] = processMemory(r.pid)));
    return out;
  }

  /** SIGKILL to the api and the runners (the benchmark is being aborted). */
  kill(): void {
    for (const p of [this.stack.api.process, ...this.runners]) p.signal('SIGKILL');
  }

  /** Stops everything; with `logDir`, the api's and runners' stdout (pino lines) are written there first. */
  async stop(logDir?: string): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.stack.stop();
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      writeFileSync(join(logDir, 'api.log'), `${this.stack.api.process.stdout.join('\n')}\n`);
      this.runners.forEach((r, i) => writeFileSync(join(logDir, `runner-${i + 1}.log`), `${r.stdout.join('\n')}\n`));
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

async function expectOk<T>(request: Promise<{ status: number; body: T; text: string }>, what: string): Promise<T> {
  const res = await request;
  if (res.status < 200 || res.status >= 300) throw new Error(`${what} failed: ${res.status} ${res.text}`);
  return res.body;
}

/** VmRSS and VmHWM (peak) of a process, from /proc/<pid>/status. */
export function processMemory(pid: number | undefined): ProcessMemory {
  if (pid === undefined) return { rssKb: null, peakKb: null };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) : null;
    };
    return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
  } catch {
    return { rssKb: null, peakKb: null };
  }
}
