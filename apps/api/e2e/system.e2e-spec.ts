import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OptionEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack } from '@semaphore/testing';

const APP_KEYS = ['active', 'priority', 'title', 'icon', 'color', 'dark_color', 'path', 'args'];
const WEB_ROOT = 'https://ops.example.test/';

interface WireApp {
  id: string;
  active: boolean;
  priority: number;
  title: string;
  icon: string;
  color: string;
  dark_color: string;
  path: string;
  args: string[] | null;
}

/** What `ansible --version` prints first on this machine ('' without ansible). */
function localAnsibleLine(): string {
  try {
    return execFileSync('ansible', ['--version'], { encoding: 'utf8', timeout: 10_000 }).split('\n')[0].trim();
  } catch {
    return '';
  }
}

describe('system: info, apps, options', () => {
  let stack: ApiStack;
  let user: ApiClient;
  let admin: ApiClient;

  const optionRows = (prefix: string) =>
    stack.db.dataSource
      .getRepository(OptionEntity)
      .createQueryBuilder('o')
      .where('o.key LIKE :p', { p: `${prefix}%` })
      .orderBy('o.key')
      .getMany()
      .then((rows) => rows.map((r) => [r.key, r.value]));
  const apps = async (client = user) => (await client.get<WireApp[]>('/api/apps')).body;
  const app = async (id: string) => (await apps()).find((a) => a.id === id);

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_WEB_ROOT: WEB_ROOT });
    user = (await stack.withToken()).client;
    admin = (await stack.withToken({ admin: true })).client;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('keeps /api/ping public and text/plain', async () => {
    const res = await stack.client().get('/api/ping');
    expect(res.status).toBe(200);
    expect(res.text).toBe('pong');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('answers GET /api/info with version, ansible, web_host and use_remote_runner', async () => {
    const res = await user.get<Record<string, unknown>>('/api/info');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['version', 'ansible', 'web_host', 'use_remote_runner']);
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string };
    expect(res.body).toEqual({
      version: pkg.version,
      ansible: localAnsibleLine(),
      web_host: 'https://ops.example.test',
      use_remote_runner: true,
    });
    expect((await user.get('/api/info')).body).toEqual(res.body);
    expect((await stack.client().get('/api/info')).status).toBe(401);
  });

  describe('apps', () => {
    it('lists the built-ins by priority for any user, in upstream key order', async () => {
      const res = await user.get<WireApp[]>('/api/apps');
      expect(res.status).toBe(200);
      expect(res.body.map((a) => [a.id, a.priority, a.active])).toEqual([
        ['ansible', 1000, true],
        ['terraform', 900, true],
        ['tofu', 800, true],
        ['bash', 700, true],
        ['powershell', 600, false],
        ['python', 500, false],
      ]);
      expect(Object.keys(res.body[0])).toEqual([...APP_KEYS, 'id']);
      expect(res.body[0]).toEqual({
        active: true,
        priority: 1000,
        title: '',
        icon: '',
        color: '',
        dark_color: '',
        path: '',
        args: null,
        id: 'ansible',
      });
      expect((await stack.client().get('/api/apps')).status).toBe(401);
    });

    it('returns one app to admins (bare App, no id) and 404 for unknown apps', async () => {
      const res = await admin.get<Record<string, unknown>>('/api/apps/terraform');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(APP_KEYS);
      expect(res.body).toMatchObject({ active: true, priority: 900 });
      const missing = await admin.get('/api/apps/nope');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ error: 'app not found' });
    });

    it('saves a custom app as apps.<id>.<field> options, toggles, and deletes it', async () => {
      const body = {
        active: true,
        priority: 1500,
        title: 'Deno',
        icon: 'mdi-language-typescript',
        color: 'green',
        dark_color: '',
        path: '/usr/local/bin/deno',
        args: ['run', '-A'],
      };
      expect((await admin.put('/api/apps/deno', body)).status).toBe(204);
      expect(await optionRows('apps.deno.')).toEqual([
        ['apps.deno.active', 'true'],
        ['apps.deno.args', '["run","-A"]'],
        ['apps.deno.color', 'green'],
        ['apps.deno.icon', 'mdi-language-typescript'],
        ['apps.deno.path', '/usr/local/bin/deno'],
        ['apps.deno.priority', '1500'],
        ['apps.deno.title', 'Deno'],
      ]);
      const listed = await apps();
      expect(listed[0]).toEqual({ ...body, id: 'deno' });
      expect((await admin.get('/api/apps/deno')).body).toEqual(body);

      expect((await admin.post('/api/apps/deno', { title: 'Deno 2', icon: '' })).status).toBe(204);
      expect(await app('deno')).toMatchObject({ title: 'Deno 2', icon: '', path: '/usr/local/bin/deno' });

      expect((await admin.post('/api/apps/deno/active', { active: false })).status).toBe(204);
      expect((await app('deno'))?.active).toBe(false);

      expect((await admin.delete('/api/apps/deno')).status).toBe(204);
      expect(await app('deno')).toBeUndefined();
      expect(await optionRows('apps.deno')).toEqual([]);
      expect((await admin.get('/api/apps/deno')).status).toBe(404);
    });

    it('activates a built-in and resets it on delete without touching similar ids', async () => {
      await stack.factories.option({ key: 'apps.python_extra.active', value: 'true' });
      expect((await admin.post('/api/apps/python/active', { active: true })).status).toBe(204);
      expect((await app('python'))?.active).toBe(true);
      expect((await admin.delete('/api/apps/python')).status).toBe(204);
      expect(await app('python')).toMatchObject({ active: false, priority: 500 });
      expect(await optionRows('apps.python_extra')).toEqual([['apps.python_extra.active', 'true']]);
    });

    it.each([
      [{ path: '-oProxyCommand=evil' }, /^path /],
      [{ path: 'relative/bin' }, /^path /],
      [{ args: [1] }, /^args /],
      [{ args: 'run' }, /^args /],
      [{ active: 'yes' }, /^active /],
      [{ priority: -5 }, /^priority /],
      [{ title: 't'.repeat(256) }, /^title /],
    ])('validates the app body %j and writes nothing', async (body, message) => {
      const res = await admin.put<{ error: string }>('/api/apps/validated', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(message);
      expect(await optionRows('apps.validated')).toEqual([]);
    });

    it('validates app ids and the active body', async () => {
      expect((await admin.put('/api/apps/bad%20id', { title: 'x' })).status).toBe(400);
      expect((await admin.put(`/api/apps/${'a'.repeat(65)}`, { title: 'x' })).status).toBe(400);
      const res = await admin.post<{ error: string }>('/api/apps/ansible/active', {});
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/^active /);
      expect(await optionRows('apps.ansible')).toEqual([]);
    });

    it('refuses the admin routes to other users with 403 and writes nothing', async () => {
      const calls: Array<[string, string, unknown?]> = [
        ['GET', '/api/apps/ansible'],
        ['PUT', '/api/apps/ansible', { active: false }],
        ['POST', '/api/apps/ansible', { active: false }],
        ['POST', '/api/apps/ansible/active', { active: false }],
        ['DELETE', '/api/apps/ansible'],
      ];
      for (const [method, path, body] of calls) {
        const res = await user.request(method, path, { body });
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
        expect((await stack.client().request(method, path, { body })).status).toBe(401);
      }
      expect(await optionRows('apps.ansible')).toEqual([]);
      expect((await app('ansible'))?.active).toBe(true);
    });
  });

  describe('options', () => {
    it('lists the option table as a flat map and sets values (200 with the body)', async () => {
      await stack.factories.option({ key: 'test.listed', value: 'yes' });
      const set = await admin.post('/api/options', { key: 'apps.powershell.active', value: 'true' });
      expect(set.status).toBe(200);
      expect(set.body).toEqual({ key: 'apps.powershell.active', value: 'true' });
      const again = await admin.post('/api/options', { key: 'test.listed', value: 'changed' });
      expect(again.status).toBe(200);
      const res = await admin.get<Record<string, string>>('/api/options');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ 'test.listed': 'changed', 'apps.powershell.active': 'true' });
      expect(Object.values(res.body).every((v) => typeof v === 'string')).toBe(true);
      // Apps read the options live.
      expect((await app('powershell'))?.active).toBe(true);
    });

    it('keeps odd but valid keys as plain entries', async () => {
      expect((await admin.post('/api/options', { key: '__proto__', value: 'x' })).status).toBe(200);
      const res = await admin.get('/api/options');
      expect(res.text).toContain('"__proto__":"x"');
    });

    it.each([
      [{ key: '', value: 'x' }, /^key /],
      [{ key: 'a..b', value: 'x' }, /^key /],
      [{ key: '../etc', value: 'x' }, /^key /],
      [{ key: 'a b', value: 'x' }, /^key /],
      [{ key: 'k'.repeat(256), value: 'x' }, /^key /],
      [{ value: 'x' }, /^key /],
      [{ key: 'test.bad_value', value: 5 }, /^value /],
      [{ key: 'test.bad_value' }, /^value /],
    ])('validates %j', async (body, message) => {
      const before = await stack.db.dataSource.getRepository(OptionEntity).count();
      const res = await admin.post<{ error: string }>('/api/options', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(message);
      expect(await stack.db.dataSource.getRepository(OptionEntity).count()).toBe(before);
    });

    it('is for admins only (403) and needs authentication (401)', async () => {
      expect((await user.get('/api/options')).status).toBe(403);
      const write = await user.post('/api/options', { key: 'test.sneaky', value: 'x' });
      expect(write.status).toBe(403);
      expect((await stack.client().get('/api/options')).status).toBe(401);
      expect(await optionRows('test.sneaky')).toEqual([]);
    });
  });
});
