import { randomUUID } from 'node:crypto';
import { constants, createWriteStream, type Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { ApiConfig } from '../../config';
import { toWireTime } from '../../wire';
import { isInside, wirePath } from './artifact-paths';
import { ArtifactErrorCode, ArtifactException } from './artifact.exception';

/** One entry of `GET P/tasks/{id}/artifacts`. */
export interface ArtifactEntry {
  path: string;
  size: number;
  modified: string;
}

export interface OpenedArtifact {
  stream: Readable;
  size: number;
  /** The last name of the path (for Content-Disposition). */
  name: string;
}

const DIR_MODE = 0o750;
const FILE_MODE = 0o640;
/** Partial uploads live here (beside the task directories, never inside one) until they are complete. */
const INCOMING_DIR = '.incoming';
const INCOMPLETE = 'the upload ended before its body was complete';

const escapes = () =>
  new ArtifactException(ArtifactErrorCode.BadPath, "path must stay inside the task's artifacts (no symbolic links)");
const notFound = () => new ArtifactException(ArtifactErrorCode.NotFound, 'Artifact not found');

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function ignoreExisting(err: unknown): void {
  if (codeOf(err) !== 'EEXIST') throw err;
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return null;
    throw err;
  }
}

/** Passes bytes through until there are more than `max`, then fails with TooLarge. */
class ByteLimit extends Transform {
  bytes = 0;

  constructor(private readonly max: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max) {
      done(new ArtifactException(ArtifactErrorCode.TooLarge, `body is larger than ${this.max} bytes`));
    } else {
      done(null, chunk);
    }
  }
}

/**
 * The artifact files on disk, `<SEMAPHORE_ARTIFACTS_PATH>/<task id>/<path>`: the only place that touches them.
 * Paths come in as checked segments (artifactPathSegments); on top of that no symbolic link is ever followed (each
 * component is lstat'ed, files are opened with O_NOFOLLOW) and the real path must stay inside the task's directory.
 */
@Injectable()
export class ArtifactStore {
  private readonly root: string;

  constructor(config: ApiConfig) {
    this.root = config.artifacts.path;
  }

  /**
   * Streams `source` into a temporary file and renames it to the artifact once complete; a failed or oversized
   * upload leaves nothing behind. `source` is never destroyed here (the caller still answers on its connection).
   * @returns the number of bytes written
   */
  async write(taskId: number, segments: readonly string[], source: Readable, maxBytes: number): Promise<number> {
    const taskDir = await this.ensureTaskDir(taskId);
    const parent = await this.ensureDirectories(taskDir, segments.slice(0, -1));
    const target = join(parent, segments[segments.length - 1]);
    await this.refuseNonFile(target, segments);
    const incoming = join(this.root, INCOMING_DIR);
    await mkdir(incoming, { recursive: true, mode: DIR_MODE });
    const temporary = join(incoming, `${taskId}-${randomUUID()}.part`);
    try {
      const size = await receive(source, temporary, maxBytes);
      // A directory swapped for a link while the body streamed in must not redirect the rename.
      if (!isInside(await realpath(taskDir), await realpath(parent))) throw escapes();
      await rename(temporary, target);
      return size;
    } catch (err) {
      await rm(temporary, { force: true });
      if (codeOf(err) === 'EISDIR') {
        throw new ArtifactException(ArtifactErrorCode.PathTaken, `path ${wirePath(segments)} is a directory`);
      }
      throw err;
    }
  }

  /** Every regular file of the task, sorted by path; symbolic links are neither listed nor followed. */
  async list(taskId: number): Promise<ArtifactEntry[]> {
    const taskDir = join(this.root, String(taskId));
    const st = await lstatOrNull(taskDir);
    if (!st?.isDirectory()) return [];
    const entries: ArtifactEntry[] = [];
    await this.collect(taskDir, [], entries);
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** @throws ArtifactException NotFound when there is no such regular file, BadPath when a link is on the way */
  async open(taskId: number, segments: readonly string[]): Promise<OpenedArtifact> {
    const taskDir = join(this.root, String(taskId));
    const top = await lstatOrNull(taskDir);
    if (!top) throw notFound();
    if (!top.isDirectory()) throw escapes();
    let current = taskDir;
    for (const name of segments.slice(0, -1)) {
      current = join(current, name);
      const st = await lstatOrNull(current);
      if (!st) throw notFound();
      if (st.isSymbolicLink()) throw escapes();
      if (!st.isDirectory()) throw notFound();
    }
    const file = join(current, segments[segments.length - 1]);
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: unknown) => {
      if (codeOf(err) === 'ELOOP') throw escapes();
      if (codeOf(err) === 'ENOENT' || codeOf(err) === 'ENOTDIR') throw notFound();
      throw err;
    });
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw notFound();
      if (!isInside(await realpath(taskDir), await realpath(file))) throw escapes();
      return { stream: handle.createReadStream(), size: st.size, name: segments[segments.length - 1] };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Removes the task's artifacts and any partial upload of it. */
  async removeTask(taskId: number): Promise<void> {
    await rm(join(this.root, String(taskId)), { recursive: true, force: true });
    const incoming = join(this.root, INCOMING_DIR);
    const names = await readdir(incoming).catch(() => [] as string[]);
    const prefix = `${taskId}-`;
    await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(incoming, n), { force: true })));
  }

  private async ensureTaskDir(taskId: number): Promise<string> {
    await mkdir(this.root, { recursive: true, mode: DIR_MODE });
    const dir = join(this.root, String(taskId));
    await mkdir(dir, { mode: DIR_MODE }).catch(ignoreExisting);
    // A link (or a file) where the task's directory belongs.
    if (!(await lstat(dir)).isDirectory()) throw escapes();
    return dir;
  }

  /** Creates the directories `names` below `taskDir`, refusing links and files on the way; returns the last one. */
  private async ensureDirectories(taskDir: string, names: readonly string[]): Promise<string> {
    let current = taskDir;
    for (const [i, name] of names.entries()) {
      current = join(current, name);
      let st = await lstatOrNull(current);
      if (!st) {
        await mkdir(current, { mode: DIR_MODE }).catch(ignoreExisting);
        st = await lstat(current);
      }
      if (st.isSymbolicLink()) throw escapes();
      if (!st.isDirectory()) {
        throw new ArtifactException(ArtifactErrorCode.PathTaken, `path ${wirePath(names.slice(0, i + 1))} is a file`);
      }
    }
    return current;
  }

  private async refuseNonFile(target: string, segments: readonly string[]): Promise<void> {
    const st = await lstatOrNull(target);
    if (!st || st.isFile()) return;
    if (st.isSymbolicLink()) throw escapes();
    throw new ArtifactException(ArtifactErrorCode.PathTaken, `path ${wirePath(segments)} is a directory`);
  }

  private async collect(dir: string, prefix: string[], into: ArtifactEntry[]): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = [...prefix, entry.name];
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        await this.collect(full, path, into);
      } else if (entry.isFile()) {
        const st = await lstatOrNull(full);
        if (st?.isFile()) into.push({ path: wirePath(path), size: st.size, modified: toWireTime(st.mtime) });
      }
    }
  }
}

/** Copies `source` to a new file without ever destroying `source`; a source that ends early fails the copy. */
async function receive(source: Readable, file: string, maxBytes: number): Promise<number> {
  // The client may have gone while the task was being checked.
  if (source.destroyed) throw new Error(INCOMPLETE);
  const limit = new ByteLimit(maxBytes);
  const onError = (err: Error) => limit.destroy(err);
  const onClose = () => {
    if (!source.readableEnded) limit.destroy(new Error(INCOMPLETE));
  };
  source.once('error', onError);
  source.once('close', onClose);
  source.pipe(limit);
  try {
    await pipeline(limit, createWriteStream(file, { flags: 'wx', mode: FILE_MODE }));
    return limit.bytes;
  } finally {
    source.off('error', onError);
    source.off('close', onClose);
    source.unpipe(limit);
  }
}
