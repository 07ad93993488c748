import { createHash } from 'node:crypto';
import { knownHostLineProblem } from '../runners/known-hosts';

/** A host key a runner trusted on first use (accept-new), as it is recorded in the project's known hosts. */
export interface RecordedHostKey {
  /** `host`, `[host]:port` or a hashed `|1|salt|hash` name. */
  host: string;
  keyType: string;
  keyBase64: string;
  /** `SHA256:<base64>`, as OpenSSH prints it. */
  fingerprint: string;
  /** The line that is stored: host, key type and key (a runner's comment is not kept). */
  line: string;
}

const MAX_LINE = 16_384;
// One exact name: a host name or address (IPv6 included), `[name]:port`, or a hashed entry. No patterns, no lists.
const PLAIN_HOST = /^[A-Za-z0-9_.:%-]+$/;
const BRACKETED_HOST = /^\[([A-Za-z0-9_.:%-]+)\]:(\d{1,5})$/;
const HASHED_HOST = /^\|1\|[A-Za-z0-9+/]+={0,2}\|[A-Za-z0-9+/]+={0,2}$/;

function hostProblem(host: string): string | null {
  if (host.startsWith('-')) return 'the host must not start with "-"';
  if (HASHED_HOST.test(host) || PLAIN_HOST.test(host)) return null;
  const bracketed = BRACKETED_HOST.exec(host);
  if (bracketed && !bracketed[1].startsWith('-')) {
    const port = Number(bracketed[2]);
    return port >= 1 && port <= 65535 ? null : 'the port must be from 1 to 65535';
  }
  return 'the host must be one name, "[name]:port" or a hashed "|1|" entry (no patterns, lists or negations)';
}

/**
 * What is wrong with a line a runner wants to record, or null: it must be a valid known_hosts entry (the checks of
 * the known hosts options) for exactly one host, without a `@cert-authority`/`@revoked` marker, since a runner
 * only reports the one key it met.
 */
export function recordedHostKeyProblem(raw: string): string | null {
  const line = raw.trim();
  if (!line) return 'line must not be empty';
  if (line.length > MAX_LINE) return `line must be at most ${MAX_LINE} characters`;
  const problem = knownHostLineProblem(line);
  if (problem) return `line ${problem}`;
  const [host] = line.split(/\s+/);
  if (host.startsWith('@')) return 'line must be a plain host key entry (no @cert-authority or @revoked marker)';
  const bad = hostProblem(host);
  return bad ? `line: ${bad}` : null;
}

/** The parts of a line that recordedHostKeyProblem accepted. */
export function recordedHostKey(raw: string): RecordedHostKey {
  const [host, keyType, keyBase64] = raw.trim().split(/\s+/);
  const digest = createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('base64');
  return {
    host,
    keyType,
    keyBase64,
    fingerprint: `SHA256:${digest.replace(/=+$/, '')}`,
    line: `${host} ${keyType} ${keyBase64}`,
  };
}

/** Whether known_hosts `text` already has an unmarked entry for the same host with the same key. */
export function hasHostKey(text: string, key: RecordedHostKey): boolean {
  return text.split(/\r?\n/).some((raw) => {
    const [host, keyType, keyBase64] = raw.trim().split(/\s+/);
    return host === key.host && keyType === key.keyType && keyBase64 === key.keyBase64;
  });
}

/** `text` with the key's line appended on a line of its own. */
export function withHostKey(text: string, key: RecordedHostKey): string {
  const base = text.replace(/\s+$/, '');
  return base ? `${base}\n${key.line}\n` : `${key.line}\n`;
}
