/**
 * Settings of the `ssh` and `sftp` template apps (template field `ssh_options` on the wire, snake_case there), as
 * stored and as a runner receives them in the JobSpec. The api validates them; runners trust only their types and
 * check every path again before use.
 */

export enum SftpOperation {
  Upload = 'upload',
  Download = 'download',
  Sync = 'sync',
  List = 'list',
  Copy = 'copy',
}

/** How `sync` decides that a remote file is already up to date. */
export enum SyncCompare {
  SizeMtime = 'size_mtime',
  Checksum = 'checksum',
}

/** `verify`: only known/pinned host keys; `accept_new`: unknown hosts are trusted on first use and recorded. */
export enum HostKeyMode {
  Verify = 'verify',
  AcceptNew = 'accept_new',
}

export interface SshRetryPolicy {
  /** Runs in all, the first included (1 = no retry). */
  attempts: number;
  /** Wait before the first retry. */
  backoffMs: number;
  /** Each further wait is the previous one times this. */
  backoffFactor: number;
  /** Error codes worth another attempt; authentication and host key failures never are. */
  retryOn: string[];
}

export interface SshOperationSettings {
  /** ssh: a shell command run on every host (or empty when `script` names a repository file). */
  command: string;
  /** ssh: a script in the repository (relative path), run with `/bin/sh` on every host. */
  script: string;
  /** sftp: what to do. Null for `ssh` templates. */
  operation: SftpOperation | null;
  /**
   * sftp: upload/sync: a path in the repository (relative); download/list/copy: a remote path. Remote paths are
   * absolute or relative to the login directory, without `..` segments.
   */
  source: string;
  /** sftp: upload/sync/copy: a remote path; download: a path in the task's artifact area (relative). */
  destination: string;
  compare: SyncCompare;
  /** sync: remove remote files that are not in the source. */
  deleteExtraneous: boolean;
  /** At most this many hosts at once. */
  parallelism: number;
  /** The task still succeeds when at most this many hosts fail. */
  tolerateFailures: number;
  connectTimeoutMs: number;
  /** A command or transfer with no output/progress for this long fails with SSH_TIMEOUT (0: no limit). */
  idleTimeoutMs: number;
  /** Per host, for the command or transfer (0: no limit besides the task's). */
  commandTimeoutMs: number;
  retry: SshRetryPolicy;
  hostKeyMode: HostKeyMode;
}

/** Codes a retry may help with; the only ones `retry.retryOn` may name. */
export const RETRYABLE_SSH_ERROR_CODES: readonly string[] = [
  'SSH_CONNECTION_FAILED',
  'SSH_TIMEOUT',
  'SSH_COMMAND_FAILED',
  'SFTP_TRANSFER_FAILED',
];

export const DEFAULT_SSH_RETRY: SshRetryPolicy = {
  attempts: 1,
  backoffMs: 1000,
  backoffFactor: 2,
  retryOn: ['SSH_CONNECTION_FAILED', 'SSH_TIMEOUT'],
};
