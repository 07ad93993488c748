import type { SshOperationSettings } from './ssh-operation';

/**
 * What a runner receives when it claims a task: everything LocalJob needs, secrets decrypted. It travels only over
 * the authenticated claim response (never in Redis job data, which holds ids only).
 */

export interface SshKeyMaterial {
  login: string;
  privateKey: string;
  passphrase: string;
}

export interface LoginPassword {
  login: string;
  password: string;
}

/** Credentials of an access key, as the runner needs them. */
export type KeyMaterial =
  { type: 'none' } | ({ type: 'ssh' } & SshKeyMaterial) | ({ type: 'login_password' } & LoginPassword);

export interface JobRepository {
  url: string;
  branch: string;
  key: KeyMaterial;
  /** `host port keytype base64` lines the clone must verify against (project known hosts). */
  knownHosts: string[];
}

export interface JobInventory {
  type: 'static' | 'static-yaml' | 'file' | 'terraform-workspace' | 'tofu-workspace';
  /** Static text, a repository path, or a workspace name. */
  inventory: string;
  sshKey: KeyMaterial;
  becomeKey: KeyMaterial;
  /**
   * `file` inventories kept in a repository of their own (the inventory's `repository_id`): the runner clones it and
   * reads `inventory` as a path inside it. Absent or null: the path is inside the template's repository.
   */
  repository?: JobRepository | null;
  /**
   * OpenSSH known_hosts lines (`[host]:port keytype base64`) the app's SSH connections to the inventory hosts verify
   * against, besides the runner's own known hosts. Absent or empty: only the runner's own known hosts apply.
   */
  knownHosts?: string[];
}

export interface JobVault {
  name: string;
  password: string;
}

export interface JobSpec {
  taskId: number;
  projectId: number;
  templateId: number;
  /** Fencing token of this claim: reports carrying an older one are refused. */
  claimGeneration: number;
  /** The runner numbers its log lines from here (lines the api wrote before the claim have smaller numbers). */
  firstSeq: number;
  /** Build version (build templates) or the deployed build's version (deploy templates). */
  version: string | null;
  app: string;
  username: string;
  /** The playbook (ansible), script (shell apps) or sub-directory (terraform), relative to the repository. */
  playbook: string;
  /** Template arguments, then task arguments when the template allows overrides. */
  arguments: string[];
  debug: boolean;
  dryRun: boolean;
  diff: boolean;
  limit: string;
  /** Extra variables: environment JSON, survey secrets, environment secrets of type var, task details. */
  extraVars: Record<string, unknown>;
  /** Environment variables for the app: environment `env` plus environment secrets of type env. */
  env: Record<string, string>;
  repository: JobRepository;
  inventory: JobInventory | null;
  vaults: JobVault[];
  /** App parameters, e.g. terraform `{ plan: true, auto_approve: false }`. */
  params: Record<string, unknown>;
  /** `ssh` and `sftp` apps: the template's settings; null for other apps. */
  sshOperation?: SshOperationSettings | null;
}

/** What a runner needs to look up the head of a "run on a new commit" schedule's branch (secrets decrypted). */
export interface CommitCheckSpec {
  scheduleId: number;
  repository: JobRepository;
}

/** A runner's answer to a commit check: the hash, or why it could not be looked up. */
export type CommitCheckReport = { fire_time: number; commit_hash: string } | { fire_time: number; error: string };
