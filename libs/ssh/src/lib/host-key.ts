import { createHash } from 'node:crypto';

/** `SHA256:<base64 without padding>` of a public key blob, as `ssh-keygen -lf` prints it. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key blob of an OpenSSH public key line (`<type> <base64> [comment]`). */
export function publicKeyBlob(line: string): Buffer {
  const base64 = line.trim().split(/\s+/)[1];
  if (!base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw new Error('expected "<type> <base64> [comment]"');
  return Buffer.from(base64, 'base64');
}

/** A host key trusted on first use (accept-new), as it should be recorded. */
export interface AcceptedHostKey {
  fingerprint: string;
  /** e.g. `ssh-ed25519`. */
  keyType: string;
  /** The key blob, base64: with `keyType`, a known_hosts line's key part. */
  keyBase64: string;
}

/**
 * How a connection decides whether to trust the server. `fingerprints` are the keys known for this host (pinned or
 * from known_hosts); only those are accepted. With `acceptNew` (OpenSSH's `StrictHostKeyChecking=accept-new`), a
 * host with no known key at all is trusted on first use and `onAccepted` is told the key to record; a host whose
 * known keys do not include the presented one is still refused.
 */
export interface HostKeyPolicy {
  fingerprints: readonly string[];
  /** Keys that are never accepted, known or not (known_hosts `@revoked`). */
  revoked?: readonly string[];
  acceptNew?: boolean;
  onAccepted?(accepted: AcceptedHostKey): void;
}

/** @deprecated the former name of {@link HostKeyPolicy}. */
export type PinnedHostKeys = HostKeyPolicy;

export type HostKeyVerdict = 'known' | 'new' | 'unknown' | 'revoked';

/**
 * What the policy says about a presented key: `known` (accept), `new` (accept and record: accept-new with nothing
 * known), `unknown` (refuse: not among the known keys, or nothing known without accept-new), `revoked` (refuse).
 */
export function hostKeyVerdict(policy: HostKeyPolicy, keyBlob: Buffer): HostKeyVerdict {
  const fingerprint = fingerprintSha256(keyBlob);
  if (policy.revoked?.includes(fingerprint)) return 'revoked';
  if (policy.fingerprints.includes(fingerprint)) return 'known';
  return policy.acceptNew && policy.fingerprints.length === 0 ? 'new' : 'unknown';
}

export function hostKeyAccepted(policy: HostKeyPolicy, keyBlob: Buffer): boolean {
  const verdict = hostKeyVerdict(policy, keyBlob);
  return verdict === 'known' || verdict === 'new';
}

/** The record of a key accepted on first use: its fingerprint, type (the blob's first field) and base64. */
export function acceptedHostKey(keyBlob: Buffer): AcceptedHostKey {
  const typeLength = keyBlob.length >= 4 ? keyBlob.readUInt32BE(0) : 0;
  const keyType = typeLength > 0 && 4 + typeLength <= keyBlob.length ? keyBlob.subarray(4, 4 + typeLength) : null;
  return {
    fingerprint: fingerprintSha256(keyBlob),
    keyType: keyType?.toString('latin1') ?? 'unknown',
    keyBase64: keyBlob.toString('base64'),
  };
}
