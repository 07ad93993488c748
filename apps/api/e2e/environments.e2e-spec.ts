import {
  EnvironmentEntity,
  EnvironmentSecretEntity,
  EventEntity,
  type ProjectEntity,
  TemplateEntity,
} from '@semaphore/persistence';
import { randomKey, startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';
import { SecretCipher } from '../src/crypto';

type Json = Record<string, unknown>;

/** Appendix A, `GET /api/project/1/environment/1`. */
const ENV_KEYS = ['id', 'name', 'project_id', 'password', 'json', 'env', 'secrets'];
const SECRET_KEYS = ['id', 'type', 'name', 'secret', 'operation'];
const EMPTY_REFS = { templates: [], inventories: [], repositories: [], schedules: [] };

const DB_PASSWORD = 'db-pw-Vq93LmZ7';
const API_TOKEN = 'api-token-Hx52Kd18';
const ROTATED = 'rotated-Tn47Qa02';
const LEGACY_PASSWORD = 'legacy-env-pw-Rr11';
const SECRETS = [DB_PASSWORD, API_TOKEN, ROTATED, LEGACY_PASSWORD];

describe('environments', () => {
  const encryptionKey = randomKey();
  const cipher = new SecretCipher(encryptionKey);
  let stack: ApiStack;
  let p: ProjectActors;
  let P: string;
  let other: ProjectEntity;
  let otherEnv: EnvironmentEntity;
  let otherSecret: EnvironmentSecretEntity;
  const seen: string[] = [];

  const envs = () => stack.db.dataSource.getRepository(EnvironmentEntity);
  const secrets = () => stack.db.dataSource.getRepository(EnvironmentSecretEntity);
  const actor = (role: string): ApiClient => (p as unknown as Record<string, ApiClient>)[role];
  const track = <T extends { text: string }>(res: T): T => {
    seen.push(res.text);
    return res;
  };
  const secretsOf = (environmentId: number) => secrets().find({ where: { environmentId }, order: { id: 'ASC' } });

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_ACCESS_KEY_ENCRYPTION: encryptionKey });
    p = await stack.projectWithMembers();
    P = `/api/project/${p.project.id}/environment`;
    other = await stack.factories.project();
    otherEnv = await stack.factories.environment(other.id, { name: 'Foreign' });
    otherSecret = await stack.factories.environmentSecret(otherEnv.id, { name: 'FOREIGN' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('POST creates an environment and its secrets: 204 without a body; values stored encrypted', async () => {
    const res = track(
      await p.manager.post(P, {
        name: 'Prod',
        project_id: p.project.id,
        password: LEGACY_PASSWORD,
        json: '{"region":"eu","replicas":3}',
        env: '{"APP_ENV":"prod"}',
        secrets: [
          { type: 'var', name: 'db_password', secret: DB_PASSWORD, operation: 'create' },
          { type: 'env', name: 'API_TOKEN', secret: API_TOKEN, operation: 'create' },
        ],
      }),
    );
    expect([res.status, res.text]).toEqual([204, '']);
    const env = await envs().findOneByOrFail({ projectId: p.project.id, name: 'Prod' });
    expect(env).toMatchObject({ json: '{"region":"eu","replicas":3}', env: '{"APP_ENV":"prod"}', password: null });
    const stored = await secretsOf(env.id);
    expect(stored.map((s) => [s.type, s.name])).toEqual([
      ['var', 'db_password'],
      ['env', 'API_TOKEN'],
    ]);
    for (const s of stored) for (const secret of SECRETS) expect(s.secret).not.toContain(secret);
    expect(stored.map((s) => cipher.decrypt(s.secret))).toEqual([DB_PASSWORD, API_TOKEN]);
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneByOrFail({ objectId: env.id, objectType: 'environment' });
    expect(event).toMatchObject({ projectId: p.project.id, description: 'Environment Prod created' });
  });

  it('GET {id} lists the secrets with blank values, in upstream key order', async () => {
    const env = await envs().findOneByOrFail({ projectId: p.project.id, name: 'Prod' });
    const stored = await secretsOf(env.id);
    const res = track(await p.guest.get<Json>(`${P}/${env.id}`));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(ENV_KEYS);
    expect(res.body).toEqual({
      id: env.id,
      name: 'Prod',
      project_id: p.project.id,
      password: null,
      json: '{"region":"eu","replicas":3}',
      env: '{"APP_ENV":"prod"}',
      secrets: [
        { id: stored[0].id, type: 'var', name: 'db_password', secret: '', operation: '' },
        { id: stored[1].id, type: 'env', name: 'API_TOKEN', secret: '', operation: '' },
      ],
    });
    expect(Object.keys((res.body.secrets as Json[])[0])).toEqual(SECRET_KEYS);
  });

  it('GET lists environments with secrets null, by name (asc/desc); other sort columns fall back', async () => {
    const project = await stack.factories.project();
    const b = await stack.factories.environment(project.id, { name: 'b', env: null });
    const a = await stack.factories.environment(project.id, { name: 'a' });
    await stack.factories.environmentSecret(a.id);
    const res = track(await p.admin.get<Json[]>(`/api/project/${project.id}/environment`));
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: a.id, name: 'a', project_id: project.id, password: null, json: a.json, env: a.env, secrets: null },
      { id: b.id, name: 'b', project_id: project.id, password: null, json: b.json, env: null, secrets: null },
    ]);
    expect(Object.keys(res.body[0])).toEqual(ENV_KEYS);
    const ids = async (q: string) =>
      (await p.admin.get<Json[]>(`/api/project/${project.id}/environment${q}`)).body.map((e) => e.id);
    expect(await ids('?order=desc')).toEqual([b.id, a.id]);
    expect(await ids('?sort=json&order=asc')).toEqual([a.id, b.id]);
  });

  it('PUT applies secret operations: create, update (empty value keeps it), delete; others are ignored', async () => {
    const env = await envs().findOneByOrFail({ projectId: p.project.id, name: 'Prod' });
    const [dbPw, token] = await secretsOf(env.id);
    const res = track(
      await p.owner.put(`${P}/${env.id}`, {
        id: env.id,
        project_id: p.project.id,
        name: 'Production',
        json: '{}',
        env: null,
        secrets: [
          { id: dbPw.id, type: 'var', name: 'db_password', secret: '', operation: 'update' },
          { id: token.id, type: 'env', name: 'API_TOKEN_V2', secret: ROTATED, operation: 'update' },
          { id: 0, type: 'env', name: 'EXTRA', secret: 'extra-value', operation: 'create' },
          { id: dbPw.id, type: 'var', name: 'whatever', secret: '', operation: '' },
        ],
      }),
    );
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await envs().findOneByOrFail({ id: env.id })).toMatchObject({ name: 'Production', json: '{}', env: null });
    const after = await secretsOf(env.id);
    expect(after.map((s) => [s.id, s.type, s.name, cipher.decrypt(s.secret)])).toEqual([
      [dbPw.id, 'var', 'db_password', DB_PASSWORD],
      [token.id, 'env', 'API_TOKEN_V2', ROTATED],
      [expect.any(Number), 'env', 'EXTRA', 'extra-value'],
    ]);
    expect(after[0].secret).toBe(dbPw.secret);

    const del = await p.owner.put(`${P}/${env.id}`, {
      name: 'Production',
      json: '{}',
      secrets: [{ id: after[2].id, operation: 'delete' }],
    });
    expect(del.status).toBe(204);
    expect((await secretsOf(env.id)).map((s) => s.name)).toEqual(['db_password', 'API_TOKEN_V2']);
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneByOrFail({ objectId: env.id, objectType: 'environment', description: 'Environment Production updated' });
    expect(event.projectId).toBe(p.project.id);
  });

  it('PUT: update/delete must name a secret of THIS environment; ids must match the URL; nothing changes', async () => {
    const env = await stack.factories.environment(p.project.id, { name: 'Guarded', json: '{"a":1}' });
    const mine = await stack.factories.environmentSecret(env.id, { name: 'MINE' });
    const sibling = await stack.factories.environment(p.project.id);
    const siblingSecret = await stack.factories.environmentSecret(sibling.id, { name: 'SIBLING' });
    const put = (secrets: Json[], extra: Json = {}) =>
      p.owner.put<{ error: string }>(`${P}/${env.id}`, { name: 'Changed', json: '{}', secrets, ...extra });
    for (const [res, field] of [
      [
        await put([{ id: siblingSecret.id, type: 'var', name: 'X', secret: 'v', operation: 'update' }]),
        /^secrets\.0\.id must be the id of a secret of this environment/,
      ],
      [
        await put([{ id: otherSecret.id, operation: 'delete' }]),
        /^secrets\.0\.id must be the id of a secret of this environment/,
      ],
      [await put([{ operation: 'delete' }]), /^secrets\.0\.id is required/],
      [
        await put([
          { id: mine.id, operation: 'delete' },
          { id: mine.id, operation: 'delete' },
        ]),
        /^secrets\.1\.id appears more than once/,
      ],
      [
        await put([{ type: 'var', name: 'MINE', secret: 'v', operation: 'create' }]),
        /^secrets: there would be two var secrets named MINE/,
      ],
      [await put([], { id: env.id + 1000 }), /^id in the body/],
      [await put([], { project_id: other.id }), /^project_id in the body/],
    ] as Array<[{ status: number; body: unknown }, RegExp]>) {
      expect([res.status, res.body]).toEqual([400, { error: expect.stringMatching(field) }]);
    }
    expect(await envs().findOneByOrFail({ id: env.id })).toMatchObject({ name: 'Guarded', json: '{"a":1}' });
    expect((await secretsOf(env.id)).map((s) => [s.id, s.secret])).toEqual([[mine.id, mine.secret]]);
    expect(await secrets().findOneByOrFail({ id: siblingSecret.id })).toMatchObject({ name: 'SIBLING' });
    expect(await secrets().findOneByOrFail({ id: otherSecret.id })).toMatchObject({ name: 'FOREIGN' });
  });

  it('validates POST naming the field (JSON shapes, secret names, operations) and creates nothing', async () => {
    const before = await envs().countBy({ projectId: p.project.id });
    const secret = (fields: Json) => ({
      name: 'Bad',
      json: '{}',
      secrets: [{ type: 'var', name: 'OK', secret: 's', operation: 'create', ...fields }],
    });
    for (const [payload, field] of [
      [{ json: '{}' }, /^name /],
      [{ name: '', json: '{}' }, /^name is required/],
      [{ name: 'x'.repeat(256), json: '{}' }, /^name /],
      [{ name: 'Bad', json: 'not json' }, /^json must be valid JSON/],
      [{ name: 'Bad', json: '[1,2]' }, /^json must be a JSON object/],
      [{ name: 'Bad', json: 'null' }, /^json must be a JSON object/],
      [{ name: 'Bad', json: { a: 1 } }, /^json /],
      [{ name: 'Bad', json: '{}', env: 'x=y' }, /^env must be a JSON object of string values/],
      [{ name: 'Bad', json: '{}', env: '{"N":1}' }, /^env must have string values only/],
      [{ name: 'Bad', json: '{}', env: '{"A=B":"x"}' }, /^env must have variable names/],
      [{ name: 'Bad', json: '{}', secrets: 'x' }, /^secrets /],
      [secret({ name: '1BAD' }), /^secrets\.0\.name must start with a letter/],
      [secret({ name: 'A-B' }), /^secrets\.0\.name must start with a letter/],
      [secret({ name: 'A B' }), /^secrets\.0\.name must start with a letter/],
      [secret({ name: '' }), /^secrets\.0\.name /],
      [secret({ type: 'bogus' }), /^secrets\.0\.type must be one of var, env/],
      [secret({ operation: 'bogus' }), /^secrets\.0\.operation must be one of create, update, delete/],
      [secret({ secret: 5 }), /^secrets\.0\.secret /],
      [
        secret({ id: otherSecret.id, operation: 'update' }),
        /^secrets\.0\.id must be the id of a secret of this environment/,
      ],
      [
        secret({ id: otherSecret.id, operation: 'delete' }),
        /^secrets\.0\.id must be the id of a secret of this environment/,
      ],
      [
        {
          name: 'Bad',
          json: '{}',
          secrets: [
            { type: 'env', name: 'A', operation: 'create' },
            { type: 'env', name: 'A', operation: 'create' },
          ],
        },
        /^secrets: there would be two env secrets named A/,
      ],
      [{ name: 'Bad', json: '{}', project_id: other.id }, /^project_id in the body must be the project of the URL/],
    ] as Array<[Json, RegExp]>) {
      const res = await p.owner.post<{ error: string }>(P, payload);
      expect([JSON.stringify(payload).slice(0, 120), res.status, res.body]).toEqual([
        JSON.stringify(payload).slice(0, 120),
        400,
        { error: expect.stringMatching(field) },
      ]);
    }
    expect(await envs().countBy({ projectId: p.project.id })).toBe(before);
    expect(await secrets().findOneByOrFail({ id: otherSecret.id })).toMatchObject({ name: 'FOREIGN' });
  });

  it('defaults: json absent is "{}", env "" or absent is null', async () => {
    expect((await p.owner.post(P, { name: 'Defaults' })).status).toBe(204);
    expect((await p.owner.post(P, { name: 'Empty env', json: '{}', env: '' })).status).toBe(204);
    expect(await envs().findOneByOrFail({ projectId: p.project.id, name: 'Defaults' })).toMatchObject({
      json: '{}',
      env: null,
    });
    expect(await envs().findOneByOrFail({ projectId: p.project.id, name: 'Empty env' })).toMatchObject({ env: null });
  });

  it('refs lists templates using it; DELETE is refused while in use, else removes it with its secrets', async () => {
    const env = await stack.factories.environment(p.project.id, { name: 'Doomed' });
    const s = await stack.factories.environmentSecret(env.id);
    const refs = track(await p.guest.get<Json>(`${P}/${env.id}/refs`));
    expect([refs.status, refs.body]).toEqual([200, EMPTY_REFS]);
    expect(Object.keys(refs.body)).toEqual(['templates', 'inventories', 'repositories', 'schedules']);
    const tpl = await stack.factories.template(p.project.id, { name: 'Uses env', environmentId: env.id });
    expect((await p.guest.get<Json>(`${P}/${env.id}/refs`)).body).toEqual({
      ...EMPTY_REFS,
      templates: [{ id: tpl.id, name: 'Uses env' }],
    });
    const refused = await p.owner.delete(`${P}/${env.id}`);
    expect([refused.status, refused.body]).toEqual([
      400,
      { error: 'Environment is in use by one or more templates', inUse: true },
    ]);
    expect(await envs().existsBy({ id: env.id })).toBe(true);

    await stack.db.dataSource.getRepository(TemplateEntity).delete({ id: tpl.id });
    const res = await p.manager.delete(`${P}/${env.id}`);
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await envs().existsBy({ id: env.id })).toBe(false);
    expect(await secrets().existsBy({ id: s.id })).toBe(false);
    expect((await p.guest.get(`${P}/${env.id}`)).body).toEqual({ error: 'Environment not found' });
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneByOrFail({ objectId: env.id, objectType: 'environment', description: 'Environment Doomed deleted' });
    expect(event.projectId).toBe(p.project.id);
  });

  it("another project's environment through this project's URL is 404 on every route", async () => {
    for (const id of [otherEnv.id, 2_000_000]) {
      for (const [method, path] of [
        ['get', `${P}/${id}`],
        ['get', `${P}/${id}/refs`],
        ['put', `${P}/${id}`],
        ['delete', `${P}/${id}`],
      ] as const) {
        const res =
          method === 'put'
            ? await p.owner.put(path, {
                name: 'hijack',
                json: '{}',
                secrets: [{ id: otherSecret.id, operation: 'delete' }],
              })
            : await p.owner[method](path);
        expect([method, path, res.status, res.body]).toEqual([method, path, 404, { error: 'Environment not found' }]);
      }
    }
    expect(await envs().findOneByOrFail({ id: otherEnv.id })).toMatchObject({ name: 'Foreign' });
    expect(await secrets().existsBy({ id: otherSecret.id })).toBe(true);
  });

  describe('permissions', () => {
    const WRITE: Record<string, number | 'ok'> = {
      owner: 'ok',
      manager: 'ok',
      task_runner: 403,
      guest: 403,
      nonMember: 404,
      admin: 'ok',
    };

    it('role matrix for POST, PUT and DELETE; nothing changes on refusal', async () => {
      for (const [role, expected] of Object.entries(WRITE)) {
        const env = await stack.factories.environment(p.project.id, { name: 'Fixed' });
        const doomed = await stack.factories.environment(p.project.id);
        const post = await actor(role).post(P, { name: `by ${role}`, json: '{}' });
        const put = await actor(role).put(`${P}/${env.id}`, { name: `renamed by ${role}`, json: '{}' });
        const del = await actor(role).delete(`${P}/${doomed.id}`);
        const codes = expected === 'ok' ? [204, 204, 204] : [expected, expected, expected];
        expect([role, post.status, put.status, del.status]).toEqual([role, ...codes]);
        const name = (await envs().findOneByOrFail({ id: env.id })).name;
        expect([role, name]).toEqual([role, expected === 'ok' ? `renamed by ${role}` : 'Fixed']);
        expect([role, await envs().existsBy({ id: doomed.id })]).toEqual([role, expected !== 'ok']);
        expect([role, await envs().existsBy({ name: `by ${role}` })]).toEqual([role, expected === 'ok']);
      }
    });

    it('reads are open to members, 404 for non-members, 401 without credentials (no side effect)', async () => {
      const env = await stack.factories.environment(p.project.id);
      for (const path of [P, `${P}/${env.id}`, `${P}/${env.id}/refs`]) {
        for (const role of ['owner', 'manager', 'task_runner', 'guest', 'admin']) {
          expect([path, role, (await actor(role).get(path)).status]).toEqual([path, role, 200]);
        }
        expect((await p.nonMember.get(path)).status).toBe(404);
        expect((await stack.client().get(path)).status).toBe(401);
      }
      expect((await stack.client().post(P, { name: 'anonymous', json: '{}' })).status).toBe(401);
      expect((await stack.client().delete(`${P}/${env.id}`)).status).toBe(401);
      expect(await envs().existsBy({ name: 'anonymous' })).toBe(false);
      expect(await envs().existsBy({ id: env.id })).toBe(true);
    });
  });

  it('never returns a secret value: lists, single GETs, refs and events', async () => {
    for (const env of await envs().findBy({ projectId: p.project.id })) {
      track(await p.owner.get(`${P}/${env.id}`));
      track(await p.owner.get(`${P}/${env.id}/refs`));
    }
    track(await p.owner.get(P));
    track(await p.owner.get(`/api/project/${p.project.id}/events`));
    track(await p.admin.get('/api/events/last'));
    const descriptions = (await stack.db.dataSource.getRepository(EventEntity).find()).map((e) => e.description);
    seen.push(JSON.stringify(descriptions));
    expect(seen.join('\n')).toContain('db_password');
    for (const text of seen) {
      for (const secret of SECRETS) expect(text.includes(secret) ? secret : null).toBeNull();
    }
  });
});
