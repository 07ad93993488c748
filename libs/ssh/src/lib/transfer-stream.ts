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
}

/**
 * Streams the opened source into the opened sink (backpressure kept: never more than a few chunks in memory), counting bytes on the
 * meter and holding each chunk while the pause gate is closed. Fails as cancelled when the signal aborts, and as
 * SSH_CONNECTION_FAILED when the SFTP session closes meanwhile (ssh2 would otherwise leave the streams waiting).
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
  let source: Readable | undefined;
  let sink: Writable | undefined;
  try {
    source = openSource();
    sink = openSink();
    await Promise.race([pipeline(source, counting(ctx), sink, { signal: ctx.signal }), watch.lost]);
  } catch (err) {
    source?.destroy();
    sink?.destroy();
    throw transferError(ctx, err, what, path);
  } finally {
    watch.dispose();
  }
}

export function transferError(ctx: TransferContext, err: unknown, what: string, path: string): SshError {
  if (ctx.signal?.aborted)
    return new SshError(SshErrorCode.SftpTransferFailed, `${what} of ${path} cancelled`, { cause: err });
  if (!(err instanceof SshError) && !ctx.fs.isOpen()) return ctx.fs.lostError();
  return sftpError(err, what, path, ctx.fs.host);
}

function counting(ctx: TransferContext): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const paused = ctx.pause?.wait(ctx.signal);
      const pass = () => {
        ctx.meter.bytes(chunk.length);
        done(null, chunk);
      };
      if (paused) void paused.then(pass);
      else pass();
    },
  });
}
