export { SshError, SshErrorCode } from './lib/ssh-error';
export { fingerprintSha256, publicKeyBlob, hostKeyAccepted } from './lib/host-key';
export type { PinnedHostKeys } from './lib/host-key';
export { SshConnection } from './lib/ssh-connection';
export type { ExecResult, SshTarget } from './lib/ssh-connection';
export { SshAgent } from './lib/ssh-agent';
