/**
 * Known SSH host keys handed to a job (SECURITY.md §6): OpenSSH known_hosts text kept in the `option` table, set by
 * admins through `POST /api/options`. Every SSH connection of a task (git clones, ansible's connections to the
 * inventory hosts) verifies the server against these lines.
 */

/** Host keys trusted for every project. */
export const GLOBAL_KNOWN_HOSTS_OPTION = 'ssh.known_hosts';

/** Host keys trusted for one project, added to the global ones. */
export function projectKnownHostsOption(projectId: number): string {
  return `project.${projectId}.ssh.known_hosts`;
}

/** The option keys a task of `projectId` reads, in the order their lines are used. */
export function knownHostsOptionKeys(projectId: number): string[] {
  return [GLOBAL_KNOWN_HOSTS_OPTION, projectKnownHostsOption(projectId)];
}

export interface KnownHostsText {
  /** The option key, named in problems. */
  key: string;
  value: string;
}

/** A known_hosts problem that names the option and the line, never the whole text. */
export class KnownHostsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KnownHostsError';
  }
}

// `[@marker] hostpatterns keytype base64 [comment]`
const LINE = /^(?:(@cert-authority|@revoked)\s+)?(\S+)\s+([A-Za-z0-9@._+-]+)\s+([A-Za-z0-9+/]+={0,2})(?:\s.*)?$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * The entries of the texts, blank lines and `#` comments dropped, in order.
 * @throws KnownHostsError when a line is not a known_hosts entry (its key blob must name its own key type)
 */
export function knownHostLines(texts: readonly KnownHostsText[]): string[] {
  const lines: string[] = [];
  for (const { key, value } of texts) {
    value.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const problem = lineProblem(line);
      if (problem) throw new KnownHostsError(`option ${key}, line ${i + 1}: ${problem}`);
      lines.push(line);
    });
  }
  return lines;
}

/** What is wrong with one known_hosts entry (already trimmed, not a comment), or null when it is one. */
export function knownHostLineProblem(line: string): string | null {
  return lineProblem(line);
}

function lineProblem(line: string): string | null {
  if (CONTROL.test(line)) return 'contains control characters';
  const match = LINE.exec(line);
  if (!match) return 'is not "[host]:port keytype base64" (OpenSSH known_hosts format)';
  const [, , hosts, type, base64] = match;
  if (hosts.startsWith('-')) return 'host pattern must not start with "-"';
  if (blobKeyType(base64) !== type) return `the key is not a ${type} key`;
  return null;
}

/** The key type a public key blob names in its first field (RFC 4253 §6.6), or null. */
function blobKeyType(base64: string): string | null {
  const blob = Buffer.from(base64, 'base64');
  if (blob.length < 4) return null;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return null;
  return blob.subarray(4, 4 + length).toString('latin1');
}
