import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppId, ProjectRole, TaskStatus } from '@semaphore/models';
import { EventEntity, OptionEntity, TaskEntity, type TemplateEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';

const MiB = 1024 * 1024;
const LIMIT = 8 * MiB;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: { error?: string } & Record<string, unknown>;
}

interface Upload {
  token?: string | null;
  contentType?: string;
  /** Sent with Content-Length (default) or chunked. */
  chunked?: boolean;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const randomBody = (size: number): Buffer => randomBytes(size);

describe('task artifacts and recorded host keys (runner and user routes)', () => {
  const root = mkdtempSync(join(tmpdir(), 'e2e-artifacts-'));
  const outside = mkdtempSync(join(tmpdir(), 'e2e-artifacts-outside-'));
  let stack: ApiStack;
  let p: ProjectActors;
  let template: TemplateEntity;
  let holder: { id: number; token: string };
  let stranger: { id: number; token: string };

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_ARTIFACTS_PATH: root, SEMAPHORE_MAX_ARTIFACT_BYTES: String(LIMIT) });
    p = await stack.projectWithMembers();
    template = await stack.factories.template(p.project.id, { app: AppId.Bash, playbook: 'run.sh' });
    const createRunner = async (name: string) => {
      const res = await p.admin.post<{ id: number; token: string }>('/api/runners', { name });
      expect(res.status).toBe(201);
      return res.body;
    };
    holder = await createRunner('holder');
    stranger = await createRunner('stranger');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const heldTask = (over: Partial<TaskEntity> = {}) =>
    stack.factories.task(template, { status: TaskStatus.Running, runnerId: holder.id, ...over });
  const taskDir = (taskId: number) => join(root, String(taskId));
  const artifactsUrl = (taskId: number) => `/api/project/${p.project.id}/tasks/${taskId}/artifacts`;
  const fileUrl = (taskId: number, path: string) => `${artifactsUrl(taskId)}/file?path=${encodeURIComponent(path)}`;
  const incomingOf = async (taskId: number) =>
    (await readdir(join(root, '.incoming')).catch(() => [] as string[])).filter((n) => n.startsWith(`${taskId}-`));

  /** `PUT .../artifacts?path=` through node:http, reading an answer that may come before the body is sent. */
  function upload(taskId: number, path: string | null, body: Buffer, opts: Upload = {}): Promise<Answer> {
    const query = path === null ? '' : `?path=${encodeURIComponent(path)}`;
    const url = new URL(`/api/internal/runners/tasks/${taskId}/artifacts${query}`, stack.baseUrl);
    const token = opts.token === undefined ? holder.token : opts.token;
    const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/octet-stream' };
    if (token !== null) headers['x-runner-token'] = token;
    if (!opts.chunked) headers['content-length'] = String(body.length);
    return new Promise<Answer>((resolve, reject) => {
      let answered = false;
      const req = request(url, { method: 'PUT', headers });
      req.on('error', (err) => {
        if (!answered) reject(err);
      });
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const isJson = String(res.headers['content-type'] ?? '').includes('json');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: buf,
            json: isJson && buf.length ? JSON.parse(buf.toString()) : {},
          });
          req.destroy();
        });
      });
      // Chunks of 256 KiB, as a file stream would send them.
      for (let at = 0; at < body.length; at += 256 * 1024) req.write(body.subarray(at, at + 256 * 1024));
      req.end();
    });
  }

  async function download(client: ApiClient, url: string): Promise<Answer> {
    const res = await fetch(`${stack.baseUrl}${url}`, {
      headers: { authorization: `Bearer ${client.bearerToken}` },
    });
    const body = Buffer.from(await res.arrayBuffer());
    const headers = Object.fromEntries(res.headers.entries());
    const isJson = (headers['content-type'] ?? '').includes('json');
    return { status: res.status, headers, body, json: isJson && body.length ? JSON.parse(body.toString()) : {} };
  }

  describe('upload, list, download', () => {
    it('stores a multi-MB streamed body and gives it back byte-identical to a reader of the project', async () => {
      const task = await heldTask();
      const syslog = randomBody(5 * MiB + 123);
      const listing = Buffer.from(JSON.stringify([{ name: 'a', size: 1 }]));
      expect((await upload(task.id, 'web1/logs/syslog', syslog)).status).toBe(204);
      expect((await upload(task.id, 'listing.json', listing, { chunked: true })).status).toBe(204);

      // Where SEMAPHORE_ARTIFACTS_PATH says, with no partial file left over.
      expect(sha256(await readFile(join(taskDir(task.id), 'web1', 'logs', 'syslog')))).toBe(sha256(syslog));
      expect(await incomingOf(task.id)).toEqual([]);

      const list = await p.guest.get<Array<{ path: string; size: number; modified: string }>>(artifactsUrl(task.id));
      expect(list.status).toBe(200);
      expect(list.body.map(({ path, size }) => ({ path, size }))).toEqual([
        { path: 'listing.json', size: listing.length },
        { path: 'web1/logs/syslog', size: syslog.length },
      ]);
      for (const entry of list.body) {
        expect(Object.keys(entry)).toEqual(['path', 'size', 'modified']);
        expect(Math.abs(Date.parse(entry.modified) - Date.now())).toBeLessThan(10 * 60_000);
      }

      const file = await download(p.guest, fileUrl(task.id, 'web1/logs/syslog'));
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe('application/octet-stream');
      expect(file.headers['content-length']).toBe(String(syslog.length));
      expect(file.headers['content-disposition']).toBe(`attachment; filename="syslog"; filename*=UTF-8''syslog`);
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      expect(file.body.length).toBe(syslog.length);
      expect(sha256(file.body)).toBe(sha256(syslog));
      expect((await download(p.guest, fileUrl(task.id, 'listing.json'))).body.equals(listing)).toBe(true);
    });

    it('streams a chunked body of several MB too, and replaces a file uploaded again', async () => {
      const task = await heldTask({ status: TaskStatus.WaitingConfirmation });
      const first = randomBody(3 * MiB);
      const second = randomBody(2 * MiB + 7);
      expect((await upload(task.id, 'dump.bin', first, { chunked: true })).status).toBe(204);
      expect((await upload(task.id, 'dump.bin', second, { chunked: true })).status).toBe(204);
      const file = await download(p.admin, fileUrl(task.id, 'dump.bin'));
      expect(sha256(file.body)).toBe(sha256(second));
      expect((await p.admin.get(artifactsUrl(task.id))).body).toEqual([
        expect.objectContaining({ path: 'dump.bin', size: second.length }),
      ]);
    });

    it('encodes a non-ASCII file name safely in Content-Disposition', async () => {
      const task = await heldTask();
      expect((await upload(task.id, 'reports/naïve "q";.txt', Buffer.from('x'))).status).toBe(204);
      const file = await download(p.guest, fileUrl(task.id, 'reports/naïve "q";.txt'));
      expect(file.status).toBe(200);
      expect(file.headers['content-disposition']).toBe(
        `attachment; filename="na_ve _q__.txt"; filename*=UTF-8''na%C3%AFve%20%22q%22%3B.txt`,
      );
    });

    it('lists nothing for a task without artifacts; a missing file is 404', async () => {
      const task = await heldTask({ status: TaskStatus.Success });
      const list = await p.guest.get(artifactsUrl(task.id));
      expect(list.status).toBe(200);
      expect(list.body).toEqual([]);
      const missing = await download(p.guest, fileUrl(task.id, 'nothing/here'));
      expect(missing.status).toBe(404);
      expect(missing.json).toEqual({ error: 'Artifact not found' });
      expect((await p.guest.get(`/api/project/${p.project.id}/tasks/999999/artifacts`)).status).toBe(404);
    });
  });

  describe('only the runner holding the task may upload or record', () => {
    const hostLine = () => `[h${randomBytes(3).toString('hex')}]:2222 ssh-ed25519 ${ed25519Blob()}`;

    it('refuses another runner (403), a missing or unknown token, and writes nothing', async () => {
      const task = await heldTask();
      const other = await upload(task.id, 'x.bin', Buffer.from('x'), { token: stranger.token });
      expect(other.status).toBe(403);
      expect(other.json).toEqual({ error: 'Task is not claimed by this runner' });
      expect((await upload(task.id, 'x.bin', Buffer.from('x'), { token: null })).status).toBe(401);
      expect((await upload(task.id, 'x.bin', Buffer.from('x'), { token: 'not-a-runner-token' })).status).toBe(404);
      // A user's credentials are no runner token.
      const asUser = await p.admin.put(`/api/internal/runners/tasks/${task.id}/artifacts?path=x.bin`, 'x', {
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(asUser.status).toBe(401);
      const known = await stack
        .client()
        .post(
          `/api/internal/runners/tasks/${task.id}/known-hosts`,
          { line: hostLine() },
          { headers: { 'x-runner-token': stranger.token } },
        );
      expect(known.status).toBe(403);
      await expect(stat(taskDir(task.id))).rejects.toThrow('ENOENT');
      expect(await stack.db.dataSource.getRepository(OptionEntity).findOneBy({ key: knownHostsKey() })).toBeNull();
    });

    it('refuses a task that is waiting (nobody holds it) or finished (409)', async () => {
      const waiting = await stack.factories.task(template, { status: TaskStatus.Waiting });
      expect((await upload(waiting.id, 'x', Buffer.from('x'))).status).toBe(403);
      for (const status of [TaskStatus.Success, TaskStatus.Error, TaskStatus.Stopped]) {
        const done = await heldTask({ status });
        const res = await upload(done.id, 'x', Buffer.from('x'));
        expect(res.status).toBe(409);
        expect(res.json.error).toBe(`Task is not running (status ${status})`);
        await expect(stat(taskDir(done.id))).rejects.toThrow('ENOENT');
      }
      expect((await upload(999_999, 'x', Buffer.from('x'))).status).toBe(404);
    });
  });

  describe('paths', () => {
    const hostile = ['../x', '/etc/passwd', 'a/../../x', '..', '-rf', '--output=/tmp/x', 'a\nb', 'a\u0001b', '.', 'd/'];

    it.each(hostile)('refuses the upload path %j with 400 naming path', async (path) => {
      const task = await heldTask();
      const res = await upload(task.id, path, Buffer.from('payload'));
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(/^path /);
      expect(await p.guest.get(artifactsUrl(task.id)).then((r) => r.body)).toEqual([]);
      expect(await readdir(outside)).toEqual([]);
    });

    it.each(hostile)('refuses the download path %j with 400 naming path', async (path) => {
      const task = await heldTask();
      const res = await download(p.guest, fileUrl(task.id, path));
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(/^path /);
    });

    it('needs path, once', async () => {
      const task = await heldTask();
      expect((await upload(task.id, null, Buffer.from('x'))).json).toEqual({ error: 'path is required' });
      const twice = await download(p.guest, `${artifactsUrl(task.id)}/file?path=a&path=b`);
      expect(twice.status).toBe(400);
      expect(twice.json).toEqual({ error: 'path must be a single string' });
    });

    it('never follows a symbolic link planted in the artifact directory', async () => {
      const task = await heldTask();
      expect((await upload(task.id, 'real/file', Buffer.from('ok'))).status).toBe(204);
      await writeFile(join(outside, 'secret'), 'outside secret');
      await symlink(outside, join(taskDir(task.id), 'escape'));
      await symlink(join(outside, 'secret'), join(taskDir(task.id), 'real', 'leak'));

      for (const path of ['escape/planted', 'escape/new/deeper', 'real/leak']) {
        const res = await upload(task.id, path, Buffer.from('overwritten'));
        expect(res.status).toBe(400);
        expect(res.json.error).toMatch(/^path must stay inside/);
      }
      expect(await readdir(outside)).toEqual(['secret']);
      expect(await readFile(join(outside, 'secret'), 'utf8')).toBe('outside secret');

      for (const path of ['escape/secret', 'real/leak']) {
        const res = await download(p.guest, fileUrl(task.id, path));
        expect(res.status).toBe(400);
        expect(res.body.toString()).not.toContain('outside secret');
      }
      expect((await p.guest.get<Array<{ path: string }>>(artifactsUrl(task.id))).body.map((e) => e.path)).toEqual([
        'real/file',
      ]);
    });
  });

  describe('size limit and content type', () => {
    it('answers 413 to a declared length over the limit and keeps nothing', async () => {
      const task = await heldTask();
      const res = await upload(task.id, 'big.bin', randomBody(LIMIT + MiB));
      expect(res.status).toBe(413);
      expect(res.json.error).toBe(`body is larger than ${LIMIT} bytes`);
      expect((await p.guest.get(artifactsUrl(task.id))).body).toEqual([]);
      expect(await incomingOf(task.id)).toEqual([]);
    });

    it('answers 413 to a chunked body that grows over the limit, removing the partial file', async () => {
      const task = await heldTask();
      expect((await upload(task.id, 'kept.bin', Buffer.from('kept'))).status).toBe(204);
      const res = await upload(task.id, 'big.bin', randomBody(LIMIT + MiB), { chunked: true });
      expect(res.status).toBe(413);
      expect(res.json.error).toBe(`body is larger than ${LIMIT} bytes`);
      expect(await readdir(taskDir(task.id))).toEqual(['kept.bin']);
      expect(await incomingOf(task.id)).toEqual([]);
      // The api is still fine on a new connection.
      expect((await upload(task.id, 'after.bin', Buffer.from('after'))).status).toBe(204);
    });

    it('takes exactly the limit', async () => {
      const task = await heldTask();
      expect((await upload(task.id, 'edge.bin', randomBody(LIMIT))).status).toBe(204);
      expect((await stat(join(taskDir(task.id), 'edge.bin'))).size).toBe(LIMIT);
    });

    it('refuses another content type with 415 (no body parser may swallow the body)', async () => {
      const task = await heldTask();
      const res = await upload(task.id, 'x.json', Buffer.from('{"a":1}'), { contentType: 'application/json' });
      expect(res.status).toBe(415);
      expect(res.json).toEqual({ error: 'body must be application/octet-stream' });
      await expect(stat(join(taskDir(task.id), 'x.json'))).rejects.toThrow('ENOENT');
    });
  });

  describe('known hosts recorded on first use', () => {
    const record = (taskId: number, line: unknown, token = holder.token) =>
      stack
        .client()
        .post<{ error?: string }>(
          `/api/internal/runners/tasks/${taskId}/known-hosts`,
          { line },
          { headers: { 'x-runner-token': token } },
        );
    const option = () => stack.db.dataSource.getRepository(OptionEntity).findOneBy({ key: knownHostsKey() });

    it('creates the project option, appends each entry once, keeps what was there, logs the fingerprint', async () => {
      const task = await heldTask();
      const key = ed25519Blob();
      const line = `[web1.example.test]:2222 ssh-ed25519 ${key}`;
      expect((await record(task.id, line)).status).toBe(204);
      expect((await option())?.value).toBe(`${line}\n`);
      // The same entry again (other spacing, a comment): not added twice.
      expect((await record(task.id, `  [web1.example.test]:2222   ssh-ed25519 ${key} runner@x `)).status).toBe(204);
      expect((await option())?.value).toBe(`${line}\n`);
      const recorded = async () =>
        (
          await stack.db.dataSource
            .getRepository(EventEntity)
            .find({ where: { projectId: p.project.id, objectId: task.id }, order: { id: 'ASC' } })
        )
          .map((e) => e.description ?? '')
          .filter((d) => d.includes('[web1.example.test]:2222'));
      expect(await recorded()).toHaveLength(1);

      await stack.db.dataSource.getRepository(OptionEntity).update(
        { key: knownHostsKey() },
        {
          value: `# by an admin\nold.example.test ssh-ed25519 ${ed25519Blob()}`,
        },
      );
      const before = (await option())?.value ?? '';
      expect((await record(task.id, line)).status).toBe(204);
      const other = `web2.example.test ssh-ed25519 ${ed25519Blob()}`;
      expect((await record(task.id, other)).status).toBe(204);
      expect((await option())?.value).toBe(`${before}\n${line}\n${other}\n`);

      const fingerprint = `SHA256:${createHash('sha256').update(Buffer.from(key, 'base64')).digest('base64')}`.replace(
        /=+$/,
        '',
      );
      const logged = await stack.api.process.waitForLog(
        (l) => l.event === 'known_host.recorded' && l.host === '[web1.example.test]:2222',
      );
      expect(logged).toMatchObject({ taskId: task.id, projectId: p.project.id, fingerprint });
      expect(await recorded()).toEqual([
        `Host key ssh-ed25519 ${fingerprint} of [web1.example.test]:2222 trusted on first use by task ${task.id}`,
        // Once more after an admin rewrote the option without it.
        `Host key ssh-ed25519 ${fingerprint} of [web1.example.test]:2222 trusted on first use by task ${task.id}`,
      ]);
    });

    it.each([
      ['not-a-known-hosts-line', /^line is not/],
      [`h ssh-rsa ${ed25519Blob()}`, /^line the key is not a ssh-rsa key/],
      [`@cert-authority *.example.test ssh-ed25519 ${ed25519Blob()}`, /^line must be a plain host key entry/],
      [`*.example.test ssh-ed25519 ${ed25519Blob()}`, /^line: the host must be one name/],
      [`h ssh-ed25519 ${ed25519Blob()}\nevil ssh-ed25519 ${ed25519Blob()}`, /^line contains control characters/],
      [42, /^line must be a string/],
    ])('refuses %j with 400 and records nothing', async (line, message) => {
      const task = await heldTask();
      const before = (await option())?.value ?? null;
      const res = await record(task.id, line);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(message);
      expect((await option())?.value ?? null).toBe(before);
    });
  });

  describe('other projects', () => {
    it('hides the artifacts of a task from non-members and from another project (404)', async () => {
      const task = await heldTask();
      expect((await upload(task.id, 'secret.txt', Buffer.from('project secret'))).status).toBe(204);
      const otherProject = await stack.factories.project();
      const { user, client: outsider } = await stack.withToken();
      await stack.factories.projectMember(otherProject.id, user.id, { role: ProjectRole.Owner });

      expect((await outsider.get(artifactsUrl(task.id))).status).toBe(404);
      expect((await download(outsider, fileUrl(task.id, 'secret.txt'))).status).toBe(404);
      const viaOwn = `/api/project/${otherProject.id}/tasks/${task.id}/artifacts`;
      const list = await outsider.get(viaOwn);
      expect(list.status).toBe(404);
      expect(list.body).toEqual({ error: 'Task not found' });
      const file = await download(outsider, `${viaOwn}/file?path=secret.txt`);
      expect(file.status).toBe(404);
      expect(file.body.toString()).not.toContain('project secret');
      expect((await p.nonMember.get(artifactsUrl(task.id))).status).toBe(404);
    });
  });

  describe('task deletion', () => {
    it('removes the artifacts of a deleted task, and only after the deletion succeeded', async () => {
      const task = await heldTask();
      expect((await upload(task.id, 'a/b.txt', Buffer.from('bye'))).status).toBe(204);
      // Still running: the deletion is refused and the artifacts stay.
      expect((await p.admin.delete(`/api/project/${p.project.id}/tasks/${task.id}`)).status).toBe(400);
      // A non-admin may not delete: they stay too.
      await stack.db.dataSource.getRepository(TaskEntity).update({ id: task.id }, { status: TaskStatus.Success });
      expect((await p.owner.delete(`/api/project/${p.project.id}/tasks/${task.id}`)).status).toBe(403);
      expect((await stat(join(taskDir(task.id), 'a', 'b.txt'))).isFile()).toBe(true);

      expect((await p.admin.delete(`/api/project/${p.project.id}/tasks/${task.id}`)).status).toBe(204);
      await stack.api.process.waitForLog((l) => l.event === 'artifacts.removed' && l.taskId === task.id);
      await expect(stat(taskDir(task.id))).rejects.toThrow('ENOENT');
    });
  });

  function knownHostsKey(): string {
    return `project.${p.project.id}.ssh.known_hosts`;
  }
});

/** A random ed25519 public key blob (RFC 8709 layout), base64. */
function ed25519Blob(): string {
  const type = Buffer.from('ssh-ed25519');
  const key = randomBytes(32);
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  return Buffer.concat([u32(type.length), type, u32(key.length), key]).toString('base64');
}
