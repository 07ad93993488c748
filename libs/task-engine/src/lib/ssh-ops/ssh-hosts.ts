import { HostKeyMode, type KeyMaterial } from '@semaphore/models';
import { knownHostFingerprints, type AcceptedHostKey, type SshTarget } from '@semaphore/ssh';
import type { InventoryHost } from './inventory-hosts';
import type { HostTarget } from './run-on-hosts';

export class HostConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostConfigError';
  }
}

export interface HostTargetOptions {
  /** The inventory's SSH key (`ssh` with passphrase, or `login_password`). */
  key: KeyMaterial;
  /** known_hosts lines of the project (and global) and the inventory's pinned keys. */
  knownHosts: readonly string[];
  hostKeyMode: HostKeyMode;
  connectTimeoutMs: number;
  /** accept-new: called with each key trusted on first use (the job records it). */
  onAccepted(host: string, port: number, key: AcceptedHostKey): void;
}

interface Endpoint {
  user: string | null;
  host: string;
  port: number;
}

/** `[user@]host[:port]` (also `[v6addr]:port`). */
export function parseEndpoint(text: string, what: string): Endpoint {
  const m = /^(?:([^@\s]+)@)?(\[[0-9A-Fa-f:.]+\]|[^:@\s[\]]+)(?::([0-9]{1,5}))?$/.exec(text.trim());
  if (!m || m[2].startsWith('-')) throw new HostConfigError(`${what} "${text}" is not [user@]host[:port]`);
  const port = m[3] ? Number(m[3]) : 22;
  if (port < 1 || port > 65535) throw new HostConfigError(`${what} "${text}" has an invalid port`);
  return { user: m[1] ?? null, host: m[2].replace(/^\[|\]$/g, ''), port };
}

/**
 * The bastion of a host: `semaphore_jump_host`, or ProxyJump (`-J x` / `-o ProxyJump=x`) in `ansible_ssh_common_args`
 * or `ansible_ssh_extra_args`, as ansible users write it. One hop only.
 */
export function jumpHostOf(vars: Record<string, string>): Endpoint | null {
  const explicit = vars.semaphore_jump_host?.trim();
  let spec = explicit || null;
  if (!spec) {
    const args = `${vars.ansible_ssh_common_args ?? ''} ${vars.ansible_ssh_extra_args ?? ''}`;
    const m = /(?:-J\s*|-o\s*["']?ProxyJump[= ]\s*)["']?([^\s"']+)/i.exec(args);
    spec = m ? m[1] : null;
  }
  if (!spec || spec.toLowerCase() === 'none') return null;
  if (spec.includes(',')) throw new HostConfigError(`jump host "${spec}": only one hop is supported`);
  return parseEndpoint(spec, 'jump host');
}

function credentials(key: KeyMaterial): Pick<SshTarget, 'privateKey' | 'passphrase' | 'password'> {
  if (key.type === 'ssh') return { privateKey: key.privateKey, passphrase: key.passphrase || undefined };
  if (key.type === 'login_password') return { password: key.password };
  return {};
}

function loginOf(key: KeyMaterial): string | null {
  return key.type === 'ssh' || key.type === 'login_password' ? key.login || null : null;
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/**
 * Host keys pinned in the inventory itself: `SHA256:...` fingerprints (as `ssh-keygen -lf` prints them), comma
 * separated, in a host or group variable. They are trusted besides the known hosts (a revoked key stays refused).
 */
export function pinnedFingerprints(h: InventoryHost, variable: string): string[] {
  const text = h.vars[variable];
  if (text === undefined || text.trim() === '') return [];
  const list = text.split(',').map((f) => f.trim());
  const bad = list.find((f) => !FINGERPRINT.test(f));
  if (bad !== undefined)
    throw new HostConfigError(`host ${h.name}: ${variable} "${bad}" is not a SHA256:<base64> fingerprint`);
  return list;
}

/** Where and how to connect to an inventory host (ansible's connection variables), its bastion included. */
export function hostTarget(h: InventoryHost, opts: HostTargetOptions): HostTarget {
  if (h.vars.ansible_connection && !['ssh', 'paramiko', 'smart'].includes(h.vars.ansible_connection)) {
    throw new HostConfigError(`host ${h.name}: ansible_connection=${h.vars.ansible_connection} is not SSH`);
  }
  const address = h.vars.ansible_host ?? h.vars.ansible_ssh_host ?? h.name;
  const endpoint = parseEndpoint(address, `host ${h.name} address`);
  const portText = h.vars.ansible_port ?? h.vars.ansible_ssh_port;
  const port = portText === undefined ? endpoint.port : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new HostConfigError(`host ${h.name}: ansible_port "${portText}" is not a port`);
  }
  const user = h.vars.ansible_user ?? h.vars.ansible_ssh_user ?? loginOf(opts.key) ?? 'root';
  const password = h.vars.ansible_password ?? h.vars.ansible_ssh_pass;
  const creds = password !== undefined && opts.key.type !== 'ssh' ? { password } : credentials(opts.key);
  const make = (host: string, p: number, username: string, pinned: string[]): SshTarget => {
    const known = knownHostFingerprints(opts.knownHosts, host, p);
    const fingerprints = [...new Set([...known.fingerprints, ...pinned])].filter((f) => !known.revoked.includes(f));
    return {
      host,
      port: p,
      username,
      ...creds,
      connectTimeoutMs: opts.connectTimeoutMs,
      hostKeys: {
        fingerprints,
        revoked: known.revoked,
        acceptNew: opts.hostKeyMode === HostKeyMode.AcceptNew,
        onAccepted: (accepted) => opts.onAccepted(host, p, accepted),
      },
    };
  };
  const target = make(endpoint.host, port, user, pinnedFingerprints(h, 'semaphore_host_key_fingerprint'));
  const jump = jumpHostOf(h.vars);
  if (jump) {
    target.jump = make(
      jump.host,
      jump.port,
      jump.user ?? user,
      pinnedFingerprints(h, 'semaphore_jump_host_key_fingerprint'),
    );
  }
  return { name: h.name, target };
}
