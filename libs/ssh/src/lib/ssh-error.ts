/** Typed SSH/SFTP failure codes, shown on tasks and in the API. */
export enum SshErrorCode {
  ConnectionFailed = 'SSH_CONNECTION_FAILED',
  AuthenticationFailed = 'SSH_AUTHENTICATION_FAILED',
  HostKeyMismatch = 'SSH_HOST_KEY_MISMATCH',
  CommandFailed = 'SSH_COMMAND_FAILED',
  Timeout = 'SSH_TIMEOUT',
  SftpFileNotFound = 'SFTP_FILE_NOT_FOUND',
  SftpPermissionDenied = 'SFTP_PERMISSION_DENIED',
  SftpTransferFailed = 'SFTP_TRANSFER_FAILED',
  SftpDiskFull = 'SFTP_DISK_FULL',
  /** A path argument or a remote listing entry that is refused (traversal, option-like, control characters). */
  SftpInvalidPath = 'SFTP_INVALID_PATH',
}

/** Codes worth retrying: the network may come back; a wrong key or host key will not. */
const RETRYABLE = new Set<SshErrorCode>([SshErrorCode.ConnectionFailed, SshErrorCode.Timeout]);

export class SshError extends Error {
  constructor(
    readonly code: SshErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SshError';
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}
