import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { shellQuote } from './shell-quote';
import { SshError, SshErrorCode } from './ssh-error';
import { handshake, messageOf } from './ssh-handshake';
import { routeLabel, targetLabel, type SshTarget } from './ssh-target';

export type { SshTarget } from './ssh-target';

export interface ExecStreamOptions {
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
  signal?: AbortSignal;
  /** The whole command: past it, the remote process group is killed and SSH_TIMEOUT thrown. */
  timeoutMs?: number;
  /** No output (stdout or stderr) for this long: killed the same way, SSH_TIMEOUT. */
  idleTimeoutMs?: number;
  /** Written to the command's standard input, which is then closed (e.g. a script for `/bin/sh -s`). */
  stdin?: string | Buffer;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/**
 * One authenticated ssh2 connection, host key verified, with Nagle off; possibly through a jump host, which is then
 * closed with it.
 */
export class SshConnection {
  private sftpSession: Promise<SFTPWrapper> | null = null;

  private constructor(
    private readonly client: Client,
    private readonly via: SshConnection | null,
  ) {
    if (via) client.once('close', () => via.close());
  }

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

  /**
   * Connects, verifies the host key and logs in; with `target.jump`, first to the jump host (recursively), then
   * through a TCP forward from it. Errors name the hop that failed.
   * @throws SshError (SSH_CONNECTION_FAILED, SSH_AUTHENTICATION_FAILED, SSH_HOST_KEY_MISMATCH, SSH_TIMEOUT)
   */
  static async open(target: SshTarget): Promise<SshConnection> {
    if (!target.jump) return new SshConnection(await handshake(target), null);
    const jump = target.jump;
    const via = await SshConnection.open(jump).catch((err: unknown) => {
      throw hopError(err, `jump host of ${targetLabel(target)}`);
    });
    try {
      const stream = await via.forwardOut(target.host, target.port, targetLabel(jump));
      const client = await handshake(target, stream).catch((err: unknown) => {
        throw hopError(err, `through ${routeLabel(jump)}`);
      });
      return new SshConnection(client, via);
    } catch (err) {
      via.close();
      throw err;
    }
  }

  /** A TCP connection from the remote host to `host:port` (ssh -W). */
  private forwardOut(host: string, port: number, jumpLabel: string): Promise<Duplex> {
    return new Promise((resolve, reject) =>
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
        if (!err) return resolve(stream);
        reject(
          new SshError(
            SshErrorCode.ConnectionFailed,
            `jump host ${jumpLabel} could not open a connection to ${host}:${port}: ${err.message}`,
            { cause: err },
          ),
        );
      }),
    );
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
   * signal, `timeoutMs` passing, or no output for `idleTimeoutMs`, kills the remote process group (OpenSSH ignores
   * channel signals): the command runs under a shell that first reports its pid (the session's process group) on
   * stderr, which is not passed on.
   * @throws SshError (SSH_COMMAND_FAILED when it cannot start, SSH_TIMEOUT after `timeoutMs` or `idleTimeoutMs`)
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
        const watchdog = new Watchdog(opts, stop);
        if (opts.signal?.aborted) stop();
        opts.signal?.addEventListener('abort', stop, { once: true });
        channel.on('data', (d: Buffer) => {
          watchdog.touch();
          opts.onStdout(d);
        });
        channel.stderr.on('data', (d: Buffer) => {
          watchdog.touch();
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
        if (opts.stdin !== undefined) channel.end(opts.stdin);
        channel.on('close', () => {
          watchdog.clear();
          opts.signal?.removeEventListener('abort', stop);
          if (watchdog.expired) reject(new SshError(SshErrorCode.Timeout, watchdog.expired));
          else resolve({ code, signal });
        });
      });
    });
  }

  close(): void {
    this.client.end();
    this.via?.close();
  }
}

const PID_MARK = '__semaphore_pid__ ';

/** The command's deadline and idle limit: the first to pass calls `expire` once and says why in `expired`. */
class Watchdog {
  expired: string | null = null;
  private readonly total: NodeJS.Timeout | null;
  private idle: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: Pick<ExecStreamOptions, 'timeoutMs' | 'idleTimeoutMs'>,
    private readonly expire: () => void,
  ) {
    this.total = limits.timeoutMs
      ? setTimeout(() => this.fire(`the command did not finish within ${limits.timeoutMs} ms`), limits.timeoutMs)
      : null;
    this.touch();
  }

  /** Output came: the idle limit starts again. */
  touch(): void {
    if (!this.limits.idleTimeoutMs || this.expired) return;
    if (this.idle) clearTimeout(this.idle);
    const ms = this.limits.idleTimeoutMs;
    this.idle = setTimeout(() => this.fire(`the command printed nothing for ${ms} ms`), ms);
  }

  clear(): void {
    if (this.total) clearTimeout(this.total);
    if (this.idle) clearTimeout(this.idle);
  }

  private fire(reason: string): void {
    if (this.expired) return;
    this.expired = reason;
    this.clear();
    this.expire();
  }
}

/** An error of one hop, its code kept, its message saying which hop. */
function hopError(err: unknown, hop: string): SshError {
  if (err instanceof SshError) return new SshError(err.code, `${hop}: ${err.message}`, { cause: err });
  return new SshError(SshErrorCode.ConnectionFailed, `${hop}: ${messageOf(err)}`, { cause: err });
}
