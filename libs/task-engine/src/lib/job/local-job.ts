import { mkdir } from 'node:fs/promises';
import {
  AppId,
  TaskStatus,
  type JobSpec,
  type KeyMaterial,
  type SshKeyMaterial,
  type SshOperationSettings,
} from '@semaphore/models';
import { PauseGate, SshAgent, SshError } from '@semaphore/ssh';
import { UnsafeArgumentError } from '../apps/arg-safety';
import { isTerraformApp } from '../apps/terraform-args';
import { SupervisedProcess, type ProcessResult } from '../process/supervised-process';
import { ansibleKnownHostsEnv } from './ansible-known-hosts';
import { appCommand, type PreparedFiles } from './app-command';
import { installGalaxyRequirements } from './galaxy-install';
import { inventoryFilePath } from './inventory-file';
import { JobPrepareError } from './job-errors';
import type { JobEvents, JobResult } from './job-events';
import { cloneRepository, type CloneTarget } from './repository-clone';
import { closeSshControlMasters } from './ssh-control-masters';
import { TaskWorkspace } from './task-workspace';
import { runTerraform, type ConfirmationPort } from './terraform-run';
import { runSshOperation, type ArtifactPort, type HostKeyRecorder } from '../ssh-ops/ssh-operation-job';

export interface LocalJobOptions {
  /** Root of the per-task workspaces (SEMAPHORE_TMP_PATH). */
  tmpRoot: string;
  /** PATH handed to the app; nothing else of the runner's environment reaches it. */
  path: string;
  events: JobEvents;
  killGraceMs?: number;
  timeoutMs?: number;
  /** Terraform/OpenTofu: where a plan waits for the user's confirm / reject. */
  confirmation?: ConfirmationPort;
  /** sftp downloads and listings: where the files go for the api to serve. */
  artifacts?: ArtifactPort;
  /** ssh/sftp with accept_new host keys: where trusted-on-first-use keys are recorded. */
  hostKeys?: HostKeyRecorder;
}

/**
 * Runs one task on this machine (upstream's LocalJob): fresh workspace, repository checkout, keys in an in-process
 * agent, inventory and secrets in 0600 files, the app in its own process group, everything removed afterwards.
 * The result comes from the exit code, never from log text.
 */
export class LocalJob {
  private process: SupervisedProcess | null = null;
  private stopRequested = false;
  private readonly stopController = new AbortController();
  private readonly pauseGate = new PauseGate();

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
      if (isTerraformApp(this.spec.app)) return await this.runTerraform(workspace, agents, repoDir);
      if (this.spec.sshOperation && (this.spec.app === AppId.Ssh || this.spec.app === AppId.Sftp)) {
        return await this.runSshOperation(workspace, agents, repoDir, this.spec.sshOperation);
      }
      const files = await this.prepareFiles(workspace, agents, repoDir);
      if (this.stopRequested) return { status: TaskStatus.Stopped };
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
        room: () => events.room?.(),
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
      if (this.stopRequested) return { status: TaskStatus.Stopped };
      events.log(`Running app failed: ${err instanceof Error ? err.message : String(err)}`);
      return {
        status: TaskStatus.Error,
        errorCode: failureCode(err),
      };
    } finally {
      await closeSshControlMasters(workspace.dir, this.options.path);
      await Promise.all(agents.map((a) => a.stop()));
      await workspace.remove();
    }
  }

  /** Pauses a running transfer (sftp tasks); other apps run on. */
  pause(): void {
    this.pauseGate.pause();
  }

  resume(): void {
    this.pauseGate.resume();
  }

  /** Stops the app (its whole process group); the run then ends as `stopped`. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.stopController.abort();
    await this.process?.stop();
  }

  /**
   * ssh/sftp templates: the inventory's hosts reached through libs/ssh from this process (no ssh binary, no agent:
   * the key stays in memory). The task's time limit aborts the operation like a stop, reported as TASK_TIMEOUT.
   */
  private async runSshOperation(
    workspace: TaskWorkspace,
    agents: SshAgent[],
    repoDir: string,
    settings: SshOperationSettings,
  ): Promise<JobResult> {
    const inventoryPath = await this.installInventory(workspace, agents, repoDir);
    const artifactsDir = workspace.path('artifacts');
    await mkdir(artifactsDir, { mode: 0o700 });
    let timedOut = false;
    const timer = this.options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          this.stopController.abort();
        }, this.options.timeoutMs)
      : null;
    try {
      const result = await runSshOperation({
        spec: this.spec,
        settings,
        repoDir,
        inventoryPath,
        artifactsDir,
        events: this.options.events,
        signal: this.stopController.signal,
        pause: this.pauseGate,
        artifacts: this.options.artifacts,
        hostKeys: this.options.hostKeys,
      });
      if (timedOut) {
        this.options.events.log('Running app failed: the task ran longer than its time limit');
        return { status: TaskStatus.Error, errorCode: 'TASK_TIMEOUT' };
      }
      return this.stopRequested ? { status: TaskStatus.Stopped } : result;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** init, workspace, plan, (confirmation), apply: each step a supervised process with the same environment. */
  private async runTerraform(workspace: TaskWorkspace, agents: SshAgent[], repoDir: string): Promise<JobResult> {
    const agent = await this.keyAgent(workspace, agents, this.spec.inventory?.sshKey);
    this.options.events.log(`Run TaskRunner with template: ${this.spec.playbook}`);
    return runTerraform({
      spec: this.spec,
      workspace,
      repoDir,
      events: this.options.events,
      confirmation: this.options.confirmation,
      stopSignal: this.stopController.signal,
      runStep: (command, args, cwd, env): Promise<ProcessResult> => {
        if (this.stopRequested) return Promise.resolve({ exitCode: null, signal: null, stoppedBy: 'stop' });
        this.process = new SupervisedProcess({
          command,
          args,
          cwd,
          env: {
            PATH: this.options.path,
            HOME: workspace.dir,
            PWD: cwd,
            ...env,
            ...this.spec.env,
            ...(agent ? { SSH_AUTH_SOCK: agent.socketPath } : {}),
          },
          onLine: (line) => this.options.events.log(line),
          room: () => this.options.events.room?.(),
          killGraceMs: this.options.killGraceMs,
          timeoutMs: this.options.timeoutMs,
        });
        return this.process.done;
      },
    });
  }

  /** The template's repository (a runner directory is used in place, as upstream); its commit is reported. */
  private async checkout(workspace: TaskWorkspace, agents: SshAgent[]): Promise<string> {
    const { dir, commit } = await cloneRepository(
      this.spec.repository,
      this.cloneTarget(workspace, agents, 'repository'),
    );
    if (commit) this.options.events.commit(commit.commitHash, commit.commitMessage);
    return dir;
  }

  private cloneTarget(workspace: TaskWorkspace, agents: SshAgent[], name: string): CloneTarget {
    return {
      workspace,
      name,
      startAgent: (key) => this.startAgent(workspace, agents, key),
      log: (line) => this.options.events.log(line),
    };
  }

  private async keyAgent(workspace: TaskWorkspace, agents: SshAgent[], key: KeyMaterial | undefined) {
    return key?.type === 'ssh' ? this.startAgent(workspace, agents, key) : null;
  }

  private async startAgent(workspace: TaskWorkspace, agents: SshAgent[], key: SshKeyMaterial): Promise<SshAgent> {
    const agent = await SshAgent.startWithKey(workspace.dir, key.privateKey, key.passphrase);
    agents.push(agent);
    return agent;
  }

  /**
   * Upstream's installInventory, InstallRequirements and vault steps: the inventory file, galaxy requirements
   * (ansible), vault password files and the extra vars file (SSH and become passwords included), all 0600.
   */
  private async prepareFiles(workspace: TaskWorkspace, agents: SshAgent[], repoDir: string): Promise<PreparedFiles> {
    const inv = this.spec.inventory;
    const vars: Record<string, unknown> = { ...this.spec.extraVars };
    if (inv?.sshKey.type === 'login_password') vars.ansible_password = inv.sshKey.password;
    if (inv?.becomeKey.type === 'login_password') vars.ansible_become_password = inv.becomeKey.password;
    const inventoryPath = await this.installInventory(workspace, agents, repoDir);
    const env = await ansibleKnownHostsEnv(workspace, inv?.knownHosts ?? []);
    if (this.spec.app === AppId.Ansible) await this.installRequirements(workspace, repoDir, env);
    const vaultFiles = [];
    for (const [i, vault] of this.spec.vaults.entries()) {
      vaultFiles.push({ name: vault.name, passwordFile: await workspace.writePrivate(`vault_${i}`, vault.password) });
    }
    const extraVarsFile = await workspace.writePrivate('extra_vars.json', JSON.stringify(vars));
    return { inventoryPath, extraVarsFile, vaultFiles, env };
  }

  /** Static text into a 0600 file; a `file` path inside the template's checkout or the inventory's own repository. */
  private async installInventory(workspace: TaskWorkspace, agents: SshAgent[], repoDir: string) {
    const inv = this.spec.inventory;
    if (inv?.type === 'static' || inv?.type === 'static-yaml') {
      this.options.events.log('installing static inventory');
      return workspace.writePrivate(inv.type === 'static' ? 'inventory' : 'inventory.yml', inv.inventory);
    }
    if (inv?.type !== 'file') return null;
    if (!inv.repository) return inventoryFilePath(repoDir, inv.inventory, 'the repository');
    const cloned = await cloneRepository(inv.repository, this.cloneTarget(workspace, agents, 'inventory_repository'));
    return inventoryFilePath(cloned.dir, inv.inventory, 'the inventory repository');
  }

  /** ansible-galaxy for the playbook's requirements files, supervised (and stoppable) like the app. */
  private async installRequirements(workspace: TaskWorkspace, repoDir: string, env: Record<string, string>) {
    await installGalaxyRequirements({
      repoDir,
      playbook: this.spec.playbook,
      log: (line) => this.options.events.log(line),
      runGalaxy: (args) => {
        if (this.stopRequested) return Promise.resolve({ exitCode: null, signal: null, stoppedBy: 'stop' });
        this.process = new SupervisedProcess({
          command: 'ansible-galaxy',
          args,
          cwd: repoDir,
          env: {
            PATH: this.options.path,
            HOME: workspace.dir,
            PWD: repoDir,
            PYTHONUNBUFFERED: '1',
            ANSIBLE_FORCE_COLOR: 'True',
            ...env,
            ...this.spec.env,
          },
          onLine: (line) => this.options.events.log(line),
          room: () => this.options.events.room?.(),
          killGraceMs: this.options.killGraceMs,
          timeoutMs: this.options.timeoutMs,
        });
        return this.process.done;
      },
    });
  }
}

/** The task's error code for a failure outside the app: unsafe input, a typed preparation failure, or generic. */
function failureCode(err: unknown): string {
  if (err instanceof UnsafeArgumentError) return 'INVALID_TASK';
  if (err instanceof JobPrepareError) return err.code;
  if (err instanceof SshError) return err.code;
  return 'TASK_FAILED';
}
