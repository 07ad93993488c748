import { TaskStatus, type JobSpec, type KeyMaterial, type SshKeyMaterial } from '@semaphore/models';
import { SshAgent } from '@semaphore/ssh';
import { UnsafeArgumentError, assertRelativePath } from '../apps/arg-safety';
import { checkoutRepository, type GitAuth } from '../git/git-checkout';
import { SupervisedProcess } from '../process/supervised-process';
import { appCommand, type PreparedFiles } from './app-command';
import type { JobEvents, JobResult } from './job-events';
import { TaskWorkspace } from './task-workspace';

export interface LocalJobOptions {
  /** Root of the per-task workspaces (SEMAPHORE_TMP_PATH). */
  tmpRoot: string;
  /** PATH handed to the app; nothing else of the runner's environment reaches it. */
  path: string;
  events: JobEvents;
  killGraceMs?: number;
  timeoutMs?: number;
}

/**
 * Runs one task on this machine (upstream's LocalJob): fresh workspace, repository checkout, keys in an in-process
 * agent, inventory and secrets in 0600 files, the app in its own process group, everything removed afterwards.
 * The result comes from the exit code, never from log text.
 */
export class LocalJob {
  private process: SupervisedProcess | null = null;
  private stopRequested = false;

  constructor(
    private readonly spec: JobSpec,
    private readonly options: LocalJobOptions,
  ) {}

  async run(): Promise<JobResult> {
    const { events } = this.options;
    events.status(TaskStatus.Running);
    events.log(`Preparing: ${this.spec.taskId}`);
    const workspace = await TaskWorkspace.create(this.options.tmpRoot, this.spec.taskId);
    const agents: SshAgent[] = [];
    try {
      const repoDir = await this.checkout(workspace, agents);
      if (this.stopRequested) return { status: TaskStatus.Stopped };
      const files = await this.prepareFiles(workspace);
      const inventoryAgent = await this.keyAgent(workspace, agents, this.spec.inventory?.sshKey);
      const app = appCommand(this.spec, files);
      events.log(`Run TaskRunner with template: ${this.spec.playbook}`);
      this.process = new SupervisedProcess({
        command: app.command,
        args: app.args,
        cwd: repoDir,
        env: {
          PATH: this.options.path,
          HOME: workspace.dir,
          PWD: repoDir,
          ...app.env,
          ...this.spec.env,
          ...(inventoryAgent ? { SSH_AUTH_SOCK: inventoryAgent.socketPath } : {}),
        },
        onLine: (line) => events.log(line),
        killGraceMs: this.options.killGraceMs,
        timeoutMs: this.options.timeoutMs,
      });
      const result = await this.process.done;
      if (result.stoppedBy === 'stop') return { status: TaskStatus.Stopped };
      if (result.stoppedBy === 'timeout') {
        events.log('Running app failed: the task ran longer than its time limit');
        return { status: TaskStatus.Error, errorCode: 'TASK_TIMEOUT' };
      }
      if (result.exitCode === 0) return { status: TaskStatus.Success };
      events.log(`Running app failed: exit status ${result.exitCode ?? result.signal}`);
      return { status: TaskStatus.Error };
    } catch (err) {
      events.log(`Running app failed: ${err instanceof Error ? err.message : String(err)}`);
      return {
        status: TaskStatus.Error,
        errorCode: err instanceof UnsafeArgumentError ? 'INVALID_TASK' : 'TASK_FAILED',
      };
    } finally {
      await Promise.all(agents.map((a) => a.stop()));
      await workspace.remove();
    }
  }

  /** Stops the app (its whole process group); the run then ends as `stopped`. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    await this.process?.stop();
  }

  private async checkout(workspace: TaskWorkspace, agents: SshAgent[]): Promise<string> {
    const repo = this.spec.repository;
    if (repo.url.startsWith('/')) return repo.url; // a directory on the runner, used in place (as upstream)
    let auth: GitAuth = { kind: 'none' };
    if (repo.key.type === 'ssh') {
      const agent = await this.startAgent(workspace, agents, repo.key);
      const knownHostsFile = await workspace.writePrivate('known_hosts_git', repo.knownHosts.join('\n') + '\n');
      auth = { kind: 'ssh', agentSocket: agent.socketPath, knownHostsFile };
    } else if (repo.key.type === 'login_password') {
      auth = { kind: 'password', login: repo.key.login, password: repo.key.password };
    }
    const dir = workspace.path('repository');
    const commit = await checkoutRepository(
      { url: repo.url, branch: repo.branch, auth },
      dir,
      workspace.path('git'),
      (line) => this.options.events.log(line),
    );
    this.options.events.commit(commit.commitHash, commit.commitMessage);
    return dir;
  }

  private async keyAgent(workspace: TaskWorkspace, agents: SshAgent[], key: KeyMaterial | undefined) {
    return key?.type === 'ssh' ? this.startAgent(workspace, agents, key) : null;
  }

  private async startAgent(workspace: TaskWorkspace, agents: SshAgent[], key: SshKeyMaterial): Promise<SshAgent> {
    const agent = await SshAgent.start(workspace.dir);
    agents.push(agent);
    agent.addKey(key.privateKey, key.passphrase);
    return agent;
  }

  private async prepareFiles(workspace: TaskWorkspace): Promise<PreparedFiles> {
    const inv = this.spec.inventory;
    const vars: Record<string, unknown> = { ...this.spec.extraVars };
    if (inv?.sshKey.type === 'login_password') vars.ansible_password = inv.sshKey.password;
    if (inv?.becomeKey.type === 'login_password') vars.ansible_become_password = inv.becomeKey.password;
    let inventoryPath: string | null = null;
    if (inv?.type === 'static' || inv?.type === 'static-yaml') {
      this.options.events.log('installing static inventory');
      inventoryPath = await workspace.writePrivate(
        inv.type === 'static' ? 'inventory' : 'inventory.yml',
        inv.inventory,
      );
    } else if (inv?.type === 'file') {
      inventoryPath = assertRelativePath('inventory', inv.inventory);
    }
    const vaultFiles = [];
    for (const [i, vault] of this.spec.vaults.entries()) {
      vaultFiles.push({ name: vault.name, passwordFile: await workspace.writePrivate(`vault_${i}`, vault.password) });
    }
    const extraVarsFile = await workspace.writePrivate('extra_vars.json', JSON.stringify(vars));
    return { inventoryPath, extraVarsFile, vaultFiles };
  }
}
