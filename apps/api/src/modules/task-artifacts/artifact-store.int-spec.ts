import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { ApiConfig } from '../../config';
import { ArtifactStore } from './artifact-store';
import { ArtifactErrorCode, ArtifactException } from './artifact.exception';

const MAX = 1024;

function storeAt(root: string): ArtifactStore {
  return new ArtifactStore(Object.assign(new ApiConfig(), { artifacts: { path: root, maxBytes: MAX } }));
}

async function codeOf(work: Promise<unknown>): Promise<ArtifactErrorCode> {
  try {
    await work;
  } catch (err) {
    if (err instanceof ArtifactException) return err.code;
    throw err;
  }
  throw new Error('expected an ArtifactException');
}

describe('ArtifactStore (real file system)', () => {
  let root: string;
  let outside: string;
  let store: ArtifactStore;
  let nextTask = 1;
  let taskId: number;

  beforeAll(() => {
    const base = mkdtempSync(join(tmpdir(), 'artifact-store-'));
    root = join(base, 'artifacts');
    outside = join(base, 'outside');
    store = storeAt(root);
  });

  beforeEach(async () => {
    taskId = nextTask++;
    await rm(outside, { recursive: true, force: true });
    await mkdir(outside, { recursive: true });
  });

  const write = (path: string[], body: string | Readable) =>
    store.write(taskId, path, typeof body === 'string' ? Readable.from([Buffer.from(body)]) : body, MAX);

  it('writes files in nested directories, lists them sorted with sizes and times, reads them back', async () => {
    expect(await write(['web2', 'b.txt'], 'bb')).toBe(2);
    expect(await write(['web1', 'logs', 'syslog'], 'line\n')).toBe(5);
    expect(await write(['a.json'], '{}')).toBe(2);
    const list = await store.list(taskId);
    expect(list.map((e) => [e.path, e.size])).toEqual([
      ['a.json', 2],
      ['web1/logs/syslog', 5],
      ['web2/b.txt', 2],
    ]);
    for (const entry of list) expect(entry.modified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const opened = await store.open(taskId, ['web1', 'logs', 'syslog']);
    expect(opened).toMatchObject({ size: 5, name: 'syslog' });
    expect(await text(opened.stream)).toBe('line\n');
  });

  it('replaces a file written twice; no partial file is ever left in the incoming directory', async () => {
    await write(['x'], 'first');
    await write(['x'], 'second');
    expect(await text((await store.open(taskId, ['x'])).stream)).toBe('second');
    expect((await readdir(join(root, '.incoming'))).filter((n) => n.startsWith(`${taskId}-`))).toEqual([]);
  });

  it('an empty task has no artifacts', async () => {
    expect(await store.list(taskId)).toEqual([]);
    expect(await codeOf(store.open(taskId, ['nothing']))).toBe(ArtifactErrorCode.NotFound);
  });

  it('refuses a body over the limit, removes the partial file and leaves the source readable', async () => {
    const source = new PassThrough();
    const written = write(['big.bin'], source);
    source.write(Buffer.alloc(MAX));
    source.write(Buffer.alloc(1));
    expect(await codeOf(written)).toBe(ArtifactErrorCode.TooLarge);
    expect(source.destroyed).toBe(false);
    expect(await store.list(taskId)).toEqual([]);
    expect((await readdir(join(root, '.incoming'))).filter((n) => n.startsWith(`${taskId}-`))).toEqual([]);
  });

  it('accepts exactly the limit', async () => {
    expect(await write(['edge.bin'], 'x'.repeat(MAX))).toBe(MAX);
  });

  it('leaves nothing behind when the upload breaks off', async () => {
    await write(['kept'], 'old');
    const source = new PassThrough();
    const written = store.write(taskId, ['kept'], source, MAX);
    await once(source, 'resume');
    source.write('partial');
    source.destroy(new Error('connection reset'));
    await expect(written).rejects.toThrow('connection reset');
    expect(await text((await store.open(taskId, ['kept'])).stream)).toBe('old');
    expect((await readdir(join(root, '.incoming'))).filter((n) => n.startsWith(`${taskId}-`))).toEqual([]);
  });

  it('fails at once for a client that is gone before its body is read', async () => {
    const source = new PassThrough();
    source.destroy();
    await expect(store.write(taskId, ['late'], source, MAX)).rejects.toThrow('ended before its body was complete');
    expect(await store.list(taskId)).toEqual([]);
  });

  describe('symbolic links planted in the artifact directory', () => {
    beforeEach(async () => {
      await write(['real', 'file'], 'ok');
      await writeFile(join(outside, 'secret'), 'outside secret');
      await symlink(outside, join(root, String(taskId), 'escape'));
      await symlink(join(outside, 'secret'), join(root, String(taskId), 'real', 'link'));
    });

    it('are never followed on write', async () => {
      expect(await codeOf(write(['escape', 'planted'], 'x'))).toBe(ArtifactErrorCode.BadPath);
      expect(await codeOf(write(['escape', 'new', 'deeper'], 'x'))).toBe(ArtifactErrorCode.BadPath);
      expect(await codeOf(write(['real', 'link'], 'overwritten'))).toBe(ArtifactErrorCode.BadPath);
      expect(await readdir(outside)).toEqual(['secret']);
      expect(await readFile(join(outside, 'secret'), 'utf8')).toBe('outside secret');
    });

    it('are never followed on read', async () => {
      expect(await codeOf(store.open(taskId, ['escape', 'secret']))).toBe(ArtifactErrorCode.BadPath);
      expect(await codeOf(store.open(taskId, ['real', 'link']))).toBe(ArtifactErrorCode.BadPath);
    });

    it('are not listed', async () => {
      expect((await store.list(taskId)).map((e) => e.path)).toEqual(['real/file']);
    });
  });

  it('refuses a task directory that is a link', async () => {
    await symlink(outside, join(root, String(taskId)));
    expect(await codeOf(write(['x'], 'x'))).toBe(ArtifactErrorCode.BadPath);
    expect(await codeOf(store.open(taskId, ['x']))).toBe(ArtifactErrorCode.BadPath);
    expect(await store.list(taskId)).toEqual([]);
    expect(await readdir(outside)).toEqual([]);
  });

  it('refuses a path through a file, or onto a directory', async () => {
    await write(['a'], 'file');
    await write(['d', 'inner'], 'x');
    const through = write(['a', 'b'], 'x');
    await expect(through).rejects.toThrow('path a is a file');
    expect(await codeOf(write(['a', 'b'], 'x'))).toBe(ArtifactErrorCode.PathTaken);
    await expect(write(['d'], 'x')).rejects.toThrow('path d is a directory');
    expect(await codeOf(store.open(taskId, ['d']))).toBe(ArtifactErrorCode.NotFound);
    expect(await codeOf(store.open(taskId, ['a', 'b']))).toBe(ArtifactErrorCode.NotFound);
  });

  it('removes a task with its artifacts and its partial uploads, not other tasks', async () => {
    await write(['x', 'y'], 'x');
    const other = taskId + 1000;
    await store.write(other, ['keep'], Readable.from([Buffer.from('k')]), MAX);
    await writeFile(join(root, '.incoming', `${taskId}-leftover.part`), 'partial');
    await store.removeTask(taskId);
    expect(await store.list(taskId)).toEqual([]);
    expect((await readdir(join(root, '.incoming'))).filter((n) => n.startsWith(`${taskId}-`))).toEqual([]);
    expect((await store.list(other)).map((e) => e.path)).toEqual(['keep']);
  });
});
