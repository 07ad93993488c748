import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { fingerprintSha256, hostKeyAccepted, type PinnedHostKeys } from './host-key';
import { SshError, SshErrorCode } from './ssh-error';

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  passphrase?: string;
  hostKeys: PinnedHostKeys;
  connectTimeoutMs?: number;
}

export interface ExecStreamOptions {
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** One authenticated ssh2 connection, host key verified, with Nagle off (ssh2 is ~10x slower with it on). */
export class SshConnection {
  private sftpSession: Promise<SFTPWrapper> | null = null;

  private constructor(private readonly client: Client) {}

  /** The connection's SFTP session, opened on first use and reused. */
  sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise<SFTPWrapper>((resolve, reject) =>
      this.client.sftp((err, sftp) => {
        if (err) {
          this.sftpSession = null;
          reject(
            new SshError(SshErrorCode.SftpTransferFailed, `cannot open an SFTP session: ${err.message}`, {
              cause: err,
            }),
          );
        } else resolve(sftp);
      }),
    );
    return this.sftpSession;
  }

  static open(target: SshTarget): Promise<SshConnection> {
    const client = new Client();
    let presentedKey: Buffer | null = null;
    return new Promise<SshConnection>((resolve, reject) => {
      const fail = (err: SshError) => {
        client.removeAllListeners('ready');
        client.end();
        reject(err);
      };
      client.once('ready', () => {
        client.removeAllListeners('error');
        client.on('error', () => undefined);
        resolve(new SshConnection(client));
      });
      client.once('error', (err: Error & { level?: string }) => fail(classify(err, target, presentedKey)));
      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.username,
        privateKey: target.privateKey,
        passphrase: target.passphrase,
        readyTimeout: target.connectTimeoutMs ?? 20_000,
        hostVerifier: (key: Buffer) => {
          presentedKey = key;
          return hostKeyAccepted(target.hostKeys, key);
        },
      };
      client.on('connect', () => setNoDelay(client));
      try {
        client.connect(config);
      } catch (err) {
        fail(
          new SshError(SshErrorCode.AuthenticationFailed, `cannot use the private key: ${messageOf(err)}`, {
            cause: err,
          }),
        );
      }
    });
  }

  /** Runs a command and collects its output. */
  exec(command: string): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      this.client.exec(command, (err: Error | undefined, channel: ClientChannel) => {
        if (err) {
          reject(new SshError(SshErrorCode.CommandFailed, `cannot start the command: ${err.message}`, { cause: err }));
          return;
        }
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let code: number | null = null;
        let signal: string | null = null;
        channel.on('data', (d: Buffer) => stdout.push(d));
        channel.stderr.on('data', (d: Buffer) => stderr.push(d));
        channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
          code = exitCode;
          signal = exitSignal ?? null;
        });
        channel.on('close', () =>
          resolve({ code, signal, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }),
        );
      });
    });
  }

  /**
   * Runs a command and streams its output as it comes (chunks, not lines: the caller splits them). Aborting the
   * signal, or `timeoutMs` passing, kills the remote process group (OpenSSH ignores channel signals): the command
   * runs under a shell that first reports its pid (the session's process group) on stderr, which is not passed on.
   * @throws SshError (SSH_COMMAND_FAILED when it cannot start, SSH_TIMEOUT after `timeoutMs`)
   */
  execStream(command: string, opts: ExecStreamOptions): Promise<{ code: number | null; signal: string | null }> {
    const wrapped = `echo "${PID_MARK}$$" >&2; exec /bin/sh -c ${shellQuote(command)}`;
    return new Promise((resolve, reject) => {
      this.client.exec(wrapped, (err: Error | undefined, channel: ClientChannel) => {
        if (err) {
          reject(new SshError(SshErrorCode.CommandFailed, `cannot start the command: ${err.message}`, { cause: err }));
          return;
        }
        let code: number | null = null;
        let signal: string | null = null;
        let timedOut = false;
        let pid: number | null = null;
        let stopRequested = false;
        let head: Buffer | null = Buffer.alloc(0);
        const kill = () => {
          if (pid !== null)
            this.client.exec(`kill -KILL -- -${pid} 2>/dev/null || kill -KILL ${pid}`, (e, ch) => {
              if (!e) ch.on('close', () => undefined).resume();
            });
        };
        const stop = () => {
          stopRequested = true;
          kill();
        };
        const timer = opts.timeoutMs
          ? setTimeout(() => {
              timedOut = true;
              stop();
            }, opts.timeoutMs)
          : null;
        if (opts.signal?.aborted) stop();
        opts.signal?.addEventListener('abort', stop, { once: true });
        channel.on('data', (d: Buffer) => opts.onStdout(d));
        channel.stderr.on('data', (d: Buffer) => {
          if (head === null) return opts.onStderr(d);
          head = Buffer.concat([head, d]);
          const nl = head.indexOf(0x0a);
          if (nl === -1 && head.length < 64) return;
          const first = head.subarray(0, nl === -1 ? head.length : nl).toString();
          const rest = head.subarray(nl === -1 ? head.length : nl + 1);
          head = null;
          if (first.startsWith(PID_MARK)) pid = Number(first.slice(PID_MARK.length)) || null;
          else opts.onStderr(Buffer.from(`${first}\n`));
          if (stopRequested) kill();
          if (rest.length) opts.onStderr(rest);
        });
        channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
          code = exitCode;
          signal = exitSignal ?? null;
        });
        channel.on('close', () => {
          if (timer) clearTimeout(timer);
          opts.signal?.removeEventListener('abort', stop);
          if (timedOut) {
            reject(new SshError(SshErrorCode.Timeout, `the command did not finish within ${opts.timeoutMs} ms`));
          } else resolve({ code, signal });
        });
      });
    });
  }

  close(): void {
    this.client.end();
  }
}

const PID_MARK = '__semaphore_pid__ ';

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function setNoDelay(client: Client): void {
  // ssh2 keeps the socket in a private field; its type is not exported.
  const sock = (client as unknown as { _sock?: { setNoDelay?: (on: boolean) => void } })._sock;
  sock?.setNoDelay?.(true);
}

function classify(err: Error & { level?: string }, target: SshTarget, presentedKey: Buffer | null): SshError {
  const where = `${target.username}@${target.host}:${target.port}`;
  if (err.level === 'client-authentication') {
    return new SshError(SshErrorCode.AuthenticationFailed, `${where} refused the key for ${target.username}`, {
      cause: err,
    });
  }
  if (presentedKey && !hostKeyAccepted(target.hostKeys, presentedKey)) {
    return new SshError(
      SshErrorCode.HostKeyMismatch,
      `${where} presented host key ${fingerprintSha256(presentedKey)}, which is not the pinned one: refusing to connect`,
      { cause: err },
    );
  }
  if (/timed out/i.test(err.message)) {
    return new SshError(SshErrorCode.Timeout, `${where} did not complete the SSH handshake in time`, { cause: err });
  }
  if (/privatekey|private key|passphrase/i.test(err.message)) {
    return new SshError(SshErrorCode.AuthenticationFailed, `cannot use the private key: ${err.message}`, {
      cause: err,
    });
  }
  return new SshError(SshErrorCode.ConnectionFailed, `cannot connect to ${where}: ${err.message}`, { cause: err });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
