import { createHmac } from 'node:crypto';
import { fingerprintSha256 } from './host-key';

export interface KnownHostKeys {
  /** Keys known for the host (revoked ones excluded). */
  fingerprints: string[];
  /** Keys marked `@revoked` for the host: never accepted. */
  revoked: string[];
}

/**
 * The keys OpenSSH known_hosts lines give for `host` on `port`, as OpenSSH matches them: the name looked up is
 * `host` on port 22 and `[host]:port` otherwise, against comma-separated patterns with `*` and `?` wildcards and
 * `!` negation (a matching negated pattern excludes the line) or a hashed `|1|salt|hmac` entry (HMAC-SHA1 of the
 * name, keyed with the salt). `@revoked` lines list keys to refuse; `@cert-authority` lines, comments and malformed
 * lines are ignored.
 */
export function knownHostFingerprints(lines: readonly string[], host: string, port: number): KnownHostKeys {
  const name = port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
  const known = new Set<string>();
  const revoked = new Set<string>();
  for (const line of lines) {
    const entry = parseLine(line);
    if (!entry || !hostMatches(entry.hosts, name)) continue;
    (entry.marker === 'revoked' ? revoked : known).add(fingerprintSha256(entry.key));
  }
  return { fingerprints: [...known].filter((f) => !revoked.has(f)), revoked: [...revoked] };
}

interface KnownHostsEntry {
  marker: 'revoked' | null;
  hosts: string;
  key: Buffer;
}

function parseLine(line: string): KnownHostsEntry | null {
  const fields = line.trim().split(/\s+/);
  if (fields[0] === '' || fields[0].startsWith('#')) return null;
  let marker: 'revoked' | null = null;
  if (fields[0].startsWith('@')) {
    // @cert-authority keys sign host certificates, which are not supported: such lines trust nothing here.
    if (fields[0] !== '@revoked') return null;
    marker = 'revoked';
    fields.shift();
  }
  const [hosts, keyType, base64] = fields;
  if (!hosts || !keyType || !base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  return { marker, hosts, key: Buffer.from(base64, 'base64') };
}

function hostMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) return hashedMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.toLowerCase().split(',')) {
    const negated = pattern.startsWith('!');
    if (!globMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function hashedMatches(hosts: string, name: string): boolean {
  const [salt, hash] = hosts.slice('|1|'.length).split('|');
  if (!salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

function globMatches(pattern: string, name: string): boolean {
  if (pattern === '') return false;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(name);
}
