import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SshConnection } from './ssh-connection';
import type { RemoteFs } from './sftp-fs';
import { sftpError } from './sftp-errors';
import { shellQuote } from './shell-quote';
import { SshError, SshErrorCode } from './ssh-error';

/** Paths per `sha256sum` command, so that a command line stays far below the kernel's limit. */
const MAX_BATCH_CHARS = 32_000;
const NO_TOOL = 127;

/**
 * sha256 (hex) of remote files computed on the host by `sha256sum`, in batches; null when the host has no
 * `sha256sum` (the caller falls back to streaming the files). Paths go after `--`, quoted.
 * @throws SshError (SFTP_TRANSFER_FAILED when a file cannot be read there)
 */
export async function remoteSha256(conn: SshConnection, paths: readonly string[]): Promise<Map<string, string> | null> {
  const sums = new Map<string, string>();
  for (const batch of batches(paths)) {
    const command = `command -v sha256sum >/dev/null 2>&1 || exit ${NO_TOOL}; sha256sum -- ${batch.map(shellQuote).join(' ')}`;
    const res = await conn.exec(command);
    if (res.code === NO_TOOL) return null;
    if (res.code !== 0)
      throw new SshError(
        SshErrorCode.SftpTransferFailed,
        `sha256sum failed: ${res.stderr.trim() || `exit ${res.code}`}`,
      );
    for (const line of res.stdout.split('\n')) {
      const parsed = parseSumLine(line);
      if (parsed) sums.set(parsed.path, parsed.sum);
    }
    for (const path of batch)
      if (!sums.has(path)) throw new SshError(SshErrorCode.SftpTransferFailed, `sha256sum did not report ${path}`);
  }
  return sums;
}

/** sha256 (hex) of a remote file, read through the SFTP session. */
export async function remoteStreamSha256(fs: RemoteFs, path: string): Promise<string> {
  const watch = fs.whenLost();
  const source = fs.sftp.createReadStream(path, { highWaterMark: 256 * 1024 }) as unknown as Readable;
  try {
    return await Promise.race([sha256Of(source), watch.lost]);
  } catch (err) {
    source.destroy();
    throw sftpError(err, 'read remote file', path, fs.host);
  } finally {
    watch.dispose();
  }
}

export function localSha256(path: string): Promise<string> {
  return sha256Of(createReadStream(path, { highWaterMark: 256 * 1024 }));
}

async function sha256Of(source: Readable): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(
    source,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done();
      },
    }),
  );
  return hash.digest('hex');
}

function* batches(paths: readonly string[]): Generator<string[]> {
  let batch: string[] = [];
  let chars = 0;
  for (const path of paths) {
    if (batch.length > 0 && chars + path.length > MAX_BATCH_CHARS) {
      yield batch;
      batch = [];
      chars = 0;
    }
    batch.push(path);
    chars += path.length + 3;
  }
  if (batch.length > 0) yield batch;
}

/**
 * `<64 hex>  <path>`; GNU coreutils escapes a name with a backslash or newline: the line then starts with `\` and
 * the name has `\\` and `\n`.
 */
export function parseSumLine(line: string): { sum: string; path: string } | null {
  const escaped = line.startsWith('\\');
  const match = /^([0-9a-f]{64}) [ *](.*)$/.exec(escaped ? line.slice(1) : line);
  if (!match) return null;
  const path = escaped
    ? match[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c))
    : match[2];
  return { sum: match[1], path };
}
