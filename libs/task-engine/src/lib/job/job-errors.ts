/** Why preparing a job failed, as a typed code for the task's `error_code`. */
export enum JobErrorCode {
  GitCheckoutFailed = 'GIT_CHECKOUT_FAILED',
  InventoryNotFound = 'INVENTORY_NOT_FOUND',
  GalaxyInstallFailed = 'GALAXY_INSTALL_FAILED',
  /** ssh/sftp: the inventory (or the limit) names no host, or a host's connection settings are unusable. */
  NoHosts = 'NO_HOSTS',
  InvalidHost = 'INVALID_HOST',
  /** ssh/sftp: a repository path of the template (script, upload source) is missing or leads outside. */
  SourceNotFound = 'SOURCE_NOT_FOUND',
}

/** A failure while preparing a job (before the app runs); the message is one log line and names no secret. */
export class JobPrepareError extends Error {
  constructor(
    readonly code: JobErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'JobPrepareError';
  }
}
