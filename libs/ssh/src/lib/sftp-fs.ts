import { posix } from 'node:path';
import type { FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2';
import { sftpError } from './sftp-errors';
import { SshError, SshErrorCode } from './ssh-error';

/**
 * Promise forms of the SFTP requests, with typed errors. ssh2 drops a request sent on a closed session without
 * ever calling it back, and leaves requests pending when the session closes: each call here checks that the session
 * is open and fails when it closes meanwhile, so a lost connection is an SSH_CONNECTION_FAILED, never a hang.
 */
export class RemoteFs {
  constructor(
    readonly sftp: SFTPWrapper,
    /** For messages: the host of the session. */
    readonly host: string,
    /** A request unanswered for this long fails with SSH_TIMEOUT (a frozen server); none by default. */
    private readonly answerTimeoutMs?: number,
  ) {}

  stat(path: string, what = 'stat'): Promise<Stats> {
    return this.call(what, path, (cb) => this.sftp.stat(path, cb));
  }

  lstat(path: string, what = 'stat'): Promise<Stats> {
    return this.call(what, path, (cb) => this.sftp.lstat(path, cb));
  }

  /** The entries of a directory, without `.` and `..`. */
  async readdir(path: string): Promise<FileEntryWithStats[]> {
    const list = await this.call<FileEntryWithStats[]>('list remote directory', path, (cb) =>
      this.sftp.readdir(path, cb),
    );
    return list.filter((e) => e.filename !== '.' && e.filename !== '..');
  }

  mkdir(path: string, mode: number): Promise<void> {
    return this.call('create remote directory', path, (cb) => this.sftp.mkdir(path, { mode }, cb));
  }

  chmod(path: string, mode: number): Promise<void> {
    return this.call('set the mode of', path, (cb) => this.sftp.chmod(path, mode, cb));
  }

  /** Times in seconds since the epoch. */
  utimes(path: string, atime: number, mtime: number): Promise<void> {
    return this.call('set the times of', path, (cb) => this.sftp.utimes(path, atime, mtime, cb));
  }

  unlink(path: string): Promise<void> {
    return this.call('delete remote file', path, (cb) => this.sftp.unlink(path, cb));
  }

  rmdir(path: string): Promise<void> {
    return this.call('delete remote directory', path, (cb) => this.sftp.rmdir(path, cb));
  }

  readlink(path: string): Promise<string> {
    return this.call('read remote symlink', path, (cb) => this.sftp.readlink(path, cb));
  }

  symlink(target: string, linkPath: string): Promise<void> {
    return this.call('create remote symlink', linkPath, (cb) => this.sftp.symlink(target, linkPath, cb));
  }

  /** The entry at `path` (with `follow`, what a symlink there points to), or null when there is none. */
  async lstatOrNull(path: string, follow = false): Promise<Stats | null> {
    try {
      return await (follow ? this.stat(path) : this.lstat(path));
    } catch (err) {
      if (err instanceof SshError && err.code === SshErrorCode.SftpFileNotFound) return null;
      throw err;
    }
  }

  /** Creates `path` and its missing parents (like `mkdir -p`; existing symlinks to directories are followed). */
  async mkdirs(path: string, mode = 0o755): Promise<void> {
    const existing = await this.lstatOrNull(path, true);
    if (existing?.isDirectory()) return;
    if (existing)
      throw sftpError(new Error('exists and is not a directory'), 'create remote directory', path, this.host);
    const parent = posix.dirname(path);
    if (parent !== '.' && parent !== '/' && parent !== path) await this.mkdirs(parent, 0o755);
    await this.mkdir(path, mode).catch(async (err: unknown) => {
      // Created meanwhile (another host of the same task sharing the file system): fine.
      if (!(await this.lstatOrNull(path, true))?.isDirectory()) throw err;
    });
  }

  /** Rejects when the session is or becomes closed; the callback of `dispose` ends the watch. */
  whenLost(): { lost: Promise<never>; dispose(): void } {
    let onClose = () => undefined as void;
    const lost = new Promise<never>((_resolve, reject) => {
      onClose = () => reject(this.lostError());
      if (!sessionOpen(this.sftp)) return onClose();
      this.sftp.once('close', onClose);
    });
    lost.catch(() => undefined);
    return { lost, dispose: () => this.sftp.off('close', onClose) };
  }

  isOpen(): boolean {
    return sessionOpen(this.sftp);
  }

  lostError(): SshError {
    return new SshError(SshErrorCode.ConnectionFailed, `the SFTP session with ${this.host} was lost`);
  }

  private call<T = void>(
    what: string,
    path: string,
    send: (cb: (err: Error | null | undefined, v: T) => void) => void,
  ) {
    return new Promise<T>((resolve, reject) => {
      const watch = this.whenLost();
      watch.lost.catch((err: unknown) => reject(err));
      if (!sessionOpen(this.sftp)) return;
      const ms = this.answerTimeoutMs;
      const timer = ms
        ? setTimeout(() => {
            watch.dispose();
            reject(new SshError(SshErrorCode.Timeout, `${what} ${path} on ${this.host}: no answer for ${ms} ms`));
          }, ms)
        : null;
      send((err, value) => {
        if (timer) clearTimeout(timer);
        watch.dispose();
        if (err) reject(sftpError(err, what, path, this.host));
        else resolve(value);
      });
    });
  }
}

/** ssh2 keeps the channel state in a field its types do not declare. */
function sessionOpen(sftp: SFTPWrapper): boolean {
  const state = (sftp as unknown as { outgoing?: { state?: string } }).outgoing?.state;
  return state === undefined || state === 'open';
}
