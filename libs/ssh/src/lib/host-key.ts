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

/** How a connection decides whether to trust the server: only pinned fingerprints are accepted. */
export interface PinnedHostKeys {
  fingerprints: readonly string[];
}

export function hostKeyAccepted(policy: PinnedHostKeys, keyBlob: Buffer): boolean {
  return policy.fingerprints.includes(fingerprintSha256(keyBlob));
}
