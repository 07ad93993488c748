import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PauseGate } from './pause-gate';
import type { RemoteFs } from './sftp-fs';
import { sftpError } from './sftp-errors';
import { SshError, SshErrorCode } from './ssh-error';
import type { ProgressMeter } from './transfer-progress';

/** What every file of one transfer operation shares: the session, one progress meter, pause and abort. */
export interface TransferContext {
  fs: RemoteFs;
  meter: ProgressMeter;
  pause?: PauseGate;
  signal?: AbortSignal;
  /** No byte moved for this long (time paused does not count): the transfer fails with SSH_TIMEOUT. */
  idleTimeoutMs?: number;
}

/**
 * Streams the opened source into the opened sink (backpressure kept: never more than a few chunks in memory),
 * counting bytes on the meter and holding each chunk while the pause gate is closed. Fails as cancelled when the
 * signal aborts, as SSH_TIMEOUT when nothing moves for `idleTimeoutMs`, and as SSH_CONNECTION_FAILED when the SFTP
 * session closes meanwhile (ssh2 would otherwise leave the streams waiting).
 * @throws SshError
 */
export async function pump(
  ctx: TransferContext,
  openSource: () => Readable,
  openSink: () => Writable,
  what: string,
  path: string,
): Promise<void> {
  const watch = ctx.fs.whenLost();
  const idle = new IdleWatch(ctx.idleTimeoutMs, `${what} of ${path}`);
  let source: Readable | undefined;
  let sink: Writable | undefined;
  try {
    source = openSource();
    sink = openSink();
    const moving = pipeline(source, counting(ctx, idle), sink, { signal: ctx.signal });
    await Promise.race([moving, watch.lost, idle.expired]);
  } catch (err) {
    source?.destroy();
    sink?.destroy();
    throw transferError(ctx, err, what, path);
  } finally {
    watch.dispose();
    idle.stop();
  }
}

export function transferError(ctx: TransferContext, err: unknown, what: string, path: string): SshError {
  if (ctx.signal?.aborted)
    return new SshError(SshErrorCode.SftpTransferFailed, `${what} of ${path} cancelled`, { cause: err });
  if (!(err instanceof SshError) && !ctx.fs.isOpen()) return ctx.fs.lostError();
  return sftpError(err, what, path, ctx.fs.host);
}

function counting(ctx: TransferContext, idle: IdleWatch): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const paused = ctx.pause?.wait(ctx.signal);
      const pass = () => {
        idle.touch();
        ctx.meter.bytes(chunk.length);
        done(null, chunk);
      };
      if (!paused) return pass();
      idle.stop();
      void paused.then(pass);
    },
  });
}

/** Rejects `expired` when `touch()` was not called for `ms` (stopped while paused: `touch()` starts it again). */
class IdleWatch {
  readonly expired: Promise<never>;
  private timer: NodeJS.Timeout | null = null;
  private fire: () => void = () => undefined;

  constructor(
    private readonly ms: number | undefined,
    what: string,
  ) {
    this.expired = new Promise<never>((_resolve, reject) => {
      this.fire = () => reject(new SshError(SshErrorCode.Timeout, `${what}: nothing moved for ${ms} ms`));
    });
    this.expired.catch(() => undefined);
    this.touch();
  }

  touch(): void {
    if (!this.ms) return;
    this.stop();
    this.timer = setTimeout(this.fire, this.ms);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
