import type { HostKeyPolicy } from './host-key';

/** Where to connect and how to log in. */
export interface SshTarget {
  host: string;
  port: number;
  username: string;
  /** OpenSSH or PEM private key (ssh access keys). */
  privateKey?: string;
  passphrase?: string;
  /** Login password (login_password access keys): password authentication, or keyboard-interactive answered with it. */
  password?: string;
  hostKeys: HostKeyPolicy;
  /**
   * A bastion: connected to first (with its own host key policy and credentials), then a TCP forward from it to
   * `host:port` carries this connection. `host` is then as the jump host resolves it.
   */
  jump?: SshTarget;
  connectTimeoutMs?: number;
}

/** `user@host:port`, for messages (never a credential). */
export function targetLabel(target: Pick<SshTarget, 'username' | 'host' | 'port'>): string {
  return `${target.username}@${target.host}:${target.port}`;
}

/** The hops in order, the first one connected first: `a@jump:22 -> b@target:22`. */
export function routeLabel(target: SshTarget): string {
  return target.jump ? `${routeLabel(target.jump)} -> ${targetLabel(target)}` : targetLabel(target);
}
