import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const execFileAsync = promisify(execFile);
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

export interface StartSshdOptions {
  /**
   * Extra sshd_config lines, written before the defaults (sshd keeps the first value of a keyword, so these win).
   * No `Match` blocks. LogLevel and the listen/host key/pid settings cannot be changed.
   */
  extraConfig?: readonly string[];
  /** More public keys (OpenSSH one-line format) accepted for the current user. */
  extraAuthorizedKeys?: readonly string[];
  /**
   * `UsePAM` (only for account and session handling: authentication stays public key only). Default: no as root,
   * yes otherwise, because without PAM sshd refuses users whose shadow entry looks locked (`*`, `!`), which is
   * how CI accounts are usually created, and a non-root sshd cannot even read /etc/shadow.
   */
  usePam?: boolean;
  /** Default 15 s. */
  readyTimeoutMs?: number;
}

export interface SshdServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The user sshd runs as, the only one it can log in. */
  readonly username: string;
  /** OpenSSH-format ed25519 private key (no passphrase) in authorized_keys. */
  readonly privateKey: string;
  readonly publicKey: string;
  /** The server's ed25519 host key, OpenSSH one-line format. */
  readonly hostPublicKey: string;
  /** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprintSha256: string;
  /** Temporary directory with the config, keys, pid file and authorized_keys; removed by stop(). */
  readonly dir: string;
  /** sshd's log so far (last 64 KiB, LogLevel VERBOSE). */
  output(): string;
  /**
   * SIGKILLs the listening sshd and every session process it started (found by pid through /proc), as a crash
   * would: open connections drop at once. `dir` (keys, config) stays, for `restart()`.
   */
  crash(): Promise<void>;
  /** Starts sshd again on the same port with the same host key, users and config (after `crash()`). */
  restart(): Promise<void>;
  /** Stops the listening sshd (SIGTERM, waits for the exit) and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts OpenSSH sshd as the current user on a free 127.0.0.1 port, with a generated ed25519 host key and an
 * ed25519 user key pair in its own authorized_keys. Public key authentication only. Resolves once the server sends
 * its SSH banner.
 */
export async function startSshd(opts: StartSshdOptions = {}): Promise<SshdServer> {
  const sshd = await findExecutable('sshd');
  const sshKeygen = await findExecutable('ssh-keygen');
  const dir = await mkdtemp(join(tmpdir(), 'semtest-sshd-'));
  try {
    const keys = await generateKeys(sshKeygen, dir, opts.extraAuthorizedKeys ?? []);
    // Privilege separation directory, required when sshd runs as root.
    if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        const server = await launchSshd(sshd, dir, port, opts);
        return { host: '127.0.0.1', port, username: userInfo().username, ...keys, dir, ...server };
      } catch (err) {
        // The port was taken between freePort() and the bind: try another one.
        if (attempt >= 3 || !(err instanceof SshdExitedError) || !err.output.includes('Address already in use')) {
          throw err;
        }
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** `SHA256:...` fingerprint of an SSH public key: a raw key blob (as ssh2's hostVerifier gets it) or a key line. */
export function sshFingerprintSha256(key: Buffer | string): string {
  const blob = typeof key === 'string' ? publicKeyBlob(key) : key;
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function publicKeyBlob(line: string): Buffer {
  const base64 = line.trim().split(/\s+/)[1];
  if (!base64) throw new Error('sshFingerprintSha256: expected "<type> <base64> [comment]"');
  return Buffer.from(base64, 'base64');
}

type GeneratedKeys = Pick<SshdServer, 'privateKey' | 'publicKey' | 'hostPublicKey' | 'hostKeyFingerprintSha256'>;

async function generateKeys(sshKeygen: string, dir: string, extraKeys: readonly string[]): Promise<GeneratedKeys> {
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const userKey = join(dir, 'id_ed25519');
  await Promise.all([
    execFileAsync(sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'semtest-host', '-f', hostKey]),
    execFileAsync(sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'semtest-user', '-f', userKey]),
  ]);
  const [privateKey, publicKey, hostPublicKey] = await Promise.all([
    readFile(userKey, 'utf8'),
    readFile(`${userKey}.pub`, 'utf8').then((text) => text.trim()),
    readFile(`${hostKey}.pub`, 'utf8').then((text) => text.trim()),
  ]);
  await writeFile(join(dir, 'authorized_keys'), [publicKey, ...extraKeys].join('\n') + '\n', { mode: 0o600 });
  return { privateKey, publicKey, hostPublicKey, hostKeyFingerprintSha256: sshFingerprintSha256(hostPublicKey) };
}

function sshdConfig(dir: string, port: number, opts: StartSshdOptions): string {
  const path = (name: string): string => JSON.stringify(join(dir, name));
  return [
    // Fixed: the harness depends on these (sshd keeps the first value of each keyword).
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path('ssh_host_ed25519_key')}`,
    `PidFile ${path('sshd.pid')}`,
    'LogLevel VERBOSE',
    ...(opts.extraConfig ?? []),
    `AuthorizedKeysFile ${path('authorized_keys')}`,
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    `UsePAM ${(opts.usePam ?? process.getuid?.() !== 0) ? 'yes' : 'no'}`,
    'PermitRootLogin prohibit-password',
    'PrintMotd no',
    'X11Forwarding no',
    'MaxStartups 100',
    'MaxSessions 50',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

async function launchSshd(
  sshd: string,
  dir: string,
  port: number,
  opts: StartSshdOptions,
): Promise<Pick<SshdServer, 'output' | 'crash' | 'restart' | 'stop'>> {
  const configFile = join(dir, 'sshd_config');
  await writeFile(configFile, sshdConfig(dir, port, opts), { mode: 0o600 });
  const log = new OutputLog();
  let running = await runSshd(sshd, configFile, port, log, opts);
  let stopped: Promise<void> | undefined;
  return {
    output: () => log.text(),
    async crash() {
      const { child, exited } = running;
      if (child.pid !== undefined) await killDescendants(child.pid);
      await terminate(child, exited, 'SIGKILL');
    },
    async restart() {
      if (stopped) throw new Error('restart: this sshd was stopped');
      await terminate(running.child, running.exited, 'SIGTERM');
      running = await runSshd(sshd, configFile, port, log, opts);
    },
    stop() {
      stopped ??= terminate(running.child, running.exited, 'SIGTERM').then(() =>
        rm(dir, { recursive: true, force: true }),
      );
      return stopped;
    },
  };
}

interface RunningSshd {
  child: ChildProcess;
  exited: Promise<void>;
}

async function runSshd(
  sshd: string,
  configFile: string,
  port: number,
  log: OutputLog,
  opts: StartSshdOptions,
): Promise<RunningSshd> {
  // -D: foreground, -e: log to stderr. sshd re-executes itself, hence the absolute path. Sessions get the
  // environment sshd builds for a login, never this one; it only needs PATH.
  const child = spawn(sshd, ['-D', '-e', '-f', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH },
  });
  const mark = log.capture(child);
  const exited = processEnded(child);
  try {
    await waitUntilListening(child, () => log.since(mark), port, opts.readyTimeoutMs ?? 15_000);
  } catch (err) {
    await terminate(child, exited, 'SIGKILL');
    throw err;
  }
  return { child, exited };
}

/** SIGKILL, by pid, to every process descending from `pid` (sshd's per-connection and session processes). */
async function killDescendants(pid: number): Promise<void> {
  const parents = new Map<number, number>();
  for (const entry of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // "<pid> (<comm>) <state> <ppid> ...": comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parents.set(Number(entry), ppid);
  }
  const descendants = new Set<number>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of parents) {
      if (!descendants.has(child) && (parent === pid || descendants.has(parent))) {
        descendants.add(child);
        grew = true;
      }
    }
  }
  for (const child of descendants) {
    try {
      process.kill(child, 'SIGKILL');
    } catch {
      // ended meanwhile
    }
  }
}

/**
 * Ready when sshd has logged that it listens on our port (so the banner below cannot come from another process
 * that took the port) and a TCP connection receives the SSH banner.
 */
async function waitUntilListening(
  child: ChildProcess,
  logText: () => string,
  port: number,
  timeoutMs: number,
): Promise<void> {
  const listening = new RegExp(`Server listening on 127\\.0\\.0\\.1 port ${port}\\b`);
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (!listening.test(logText())) return;
      done();
      resolve();
    };
    const onClose = (): void => {
      done();
      reject(new SshdExitedError(logText()));
    };
    const onError = (err: Error): void => {
      done();
      reject(new Error(`cannot run sshd (scripts/bootstrap-services.sh installs openssh-server): ${err.message}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`sshd was not listening after ${timeoutMs} ms:\n${logText()}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      child.stderr?.off('data', check);
      child.off('close', onClose);
      child.off('error', onError);
    };
    child.stderr?.on('data', check);
    child.once('close', onClose);
    child.once('error', onError);
    check();
  });
  const banner = await readBanner(port);
  if (!banner.startsWith('SSH-2.0-'))
    throw new Error(`unexpected SSH banner on port ${port}: ${JSON.stringify(banner)}`);
}

/** Connects and returns the first line the server sends. */
function readBanner(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setNoDelay(true);
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no SSH banner on port ${port} within 5 s`)));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\n');
      if (end < 0) return;
      socket.destroy();
      resolve(received.slice(0, end).trimEnd());
    });
    socket.on('error', reject);
  });
}

class SshdExitedError extends Error {
  constructor(readonly output: string) {
    super(`sshd exited before it was listening:\n${output}`);
  }
}

/** The last 64 KiB of sshd's stderr over all its runs (always drained, so sshd never blocks on a full pipe). */
class OutputLog {
  private buffer = '';
  private written = 0;

  text(): string {
    return this.buffer;
  }

  /** Starts capturing a run's stderr; returns the mark `since()` reads from. */
  capture(child: ChildProcess): number {
    const mark = this.written;
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.written += text.length;
      this.buffer = (this.buffer + text).slice(-65_536);
    });
    return mark;
  }

  /** What was written after `mark` (as far as it is still kept). */
  since(mark: number): string {
    return this.buffer.slice(Math.max(0, this.buffer.length - (this.written - mark)));
  }
}

/** Resolves when the process has exited or could not be started at all (also keeps 'error' from being unhandled). */
function processEnded(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.on('error', () => resolve());
  });
}

/** Sends `signal` unless the process already ended, then waits for its exit (SIGKILL after 10 s). */
async function terminate(child: ChildProcess, exited: Promise<void>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  const escalate = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    await exited;
  } finally {
    clearTimeout(escalate);
  }
}

/** Absolute path of an executable, like `command -v`, also looking in the sbin directories missing from users' PATH. */
async function findExecutable(name: string): Promise<string> {
  const dirs = [...(process.env.PATH ?? '').split(':').filter((d) => d.startsWith('/')), ...SBIN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} not found in PATH or ${SBIN_DIRS.join(', ')}: run scripts/bootstrap-services.sh`);
}
