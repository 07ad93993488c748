import { utils } from 'ssh2';
import { AccessKeyType } from '@semaphore/models';
import { AccessKeyEntity, EventEntity, type ProjectEntity } from '@semaphore/persistence';
import { randomKey, startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';
import { SecretCipher } from '../src/crypto';

type Json = Record<string, unknown>;

/** Appendix A, `GET /api/project/1/keys` item. */
const KEY_KEYS = ['id', 'name', 'type', 'project_id', 'string', 'login_password', 'ssh', 'override_secret'];
const BLANK_SECRETS = {
  string: '',
  login_password: { login: '', password: '' },
  ssh: { login: '', passphrase: '', private_key: '' },
  override_secret: false,
};
const EMPTY_REFS = { templates: [], inventories: [], repositories: [], schedules: [] };

const PASSPHRASE = 'pass-phrase-Kq7Zr2';
const PASSWORD = 'login-pw-Xy81Wq5t';
const LOGIN = 'deployer-login-J3';
const KEY_PAIR = utils.generateKeyPairSync('ed25519', { passphrase: PASSPHRASE, cipher: 'aes256-ctr', rounds: 4 });
const PLAIN_KEY_PAIR = utils.generateKeyPairSync('ed25519');
const PRIVATE_KEY = KEY_PAIR.private;
/** Lines of the private keys' base64 body: none may ever show up in a response. */
const KEY_LINES = [PRIVATE_KEY, PLAIN_KEY_PAIR.private].flatMap((k) => k.split('\n').filter((l) => l.length > 30));
const SECRETS = [PASSPHRASE, PASSWORD, LOGIN, ...KEY_LINES];

describe('access keys', () => {
  const encryptionKey = randomKey();
  const cipher = new SecretCipher(encryptionKey);
  let stack: ApiStack;
  let p: ProjectActors;
  let P: string;
  let other: ProjectEntity;
  let otherKey: AccessKeyEntity;
  /** Every response body seen, searched for secrets at the end. */
  const seen: string[] = [];

  const keys = () => stack.db.dataSource.getRepository(AccessKeyEntity);
  const actor = (role: string): ApiClient => (p as unknown as Record<string, ApiClient>)[role];
  const track = <T extends { text: string }>(res: T): T => {
    seen.push(res.text);
    return res;
  };
  const sshBody = (name: string, extra: Json = {}) => ({
    name,
    type: 'ssh',
    project_id: p.project.id,
    ssh: { login: LOGIN, passphrase: PASSPHRASE, private_key: PRIVATE_KEY },
    ...extra,
  });
  const lpBody = (name: string) => ({
    name,
    type: 'login_password',
    login_password: { login: LOGIN, password: PASSWORD },
  });

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_ACCESS_KEY_ENCRYPTION: encryptionKey });
    p = await stack.projectWithMembers();
    P = `/api/project/${p.project.id}/keys`;
    other = await stack.factories.project();
    otherKey = await stack.factories.sshKey(other.id, { name: 'Foreign' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('POST creates ssh, login_password and none keys: 204 without a body; secrets stored encrypted', async () => {
    const ssh = track(await p.manager.post(P, sshBody('Deploy SSH')));
    expect([ssh.status, ssh.text]).toEqual([204, '']);
    const lp = track(await p.owner.post(P, lpBody('Vault PW')));
    expect([lp.status, lp.text]).toEqual([204, '']);
    const none = track(await p.owner.post(P, { name: 'Public', type: 'none', ssh: { private_key: 'ignored' } }));
    expect([none.status, none.text]).toEqual([204, '']);

    const sshRow = await keys().findOneByOrFail({ projectId: p.project.id, name: 'Deploy SSH' });
    expect(sshRow.type).toBe(AccessKeyType.Ssh);
    for (const secret of SECRETS) expect(sshRow.secret).not.toContain(secret);
    expect(cipher.decryptSshKey(sshRow.secret ?? '')).toEqual({
      login: LOGIN,
      passphrase: PASSPHRASE,
      private_key: PRIVATE_KEY,
    });
    const lpRow = await keys().findOneByOrFail({ projectId: p.project.id, name: 'Vault PW' });
    expect(lpRow.secret).not.toContain(PASSWORD);
    expect(cipher.decryptLoginPassword(lpRow.secret ?? '')).toEqual({ login: LOGIN, password: PASSWORD });
    expect(await keys().findOneByOrFail({ projectId: p.project.id, name: 'Public' })).toMatchObject({
      type: 'none',
      secret: null,
    });
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneByOrFail({ objectId: sshRow.id, objectType: 'key' });
    expect(event).toMatchObject({ projectId: p.project.id, description: 'Access Key Deploy SSH created' });
  });

  it('an unencrypted private key needs no passphrase', async () => {
    const res = await p.owner.post(P, {
      name: 'Plain SSH',
      type: 'ssh',
      ssh: { login: 'root', private_key: PLAIN_KEY_PAIR.private },
    });
    expect(res.status).toBe(204);
    const row = await keys().findOneByOrFail({ projectId: p.project.id, name: 'Plain SSH' });
    expect(cipher.decryptSshKey(row.secret ?? '').private_key).toBe(PLAIN_KEY_PAIR.private);
  });

  it('GET lists keys with blank secrets in upstream key order; `empty` only when nothing is stored', async () => {
    const project = await stack.factories.project();
    const none = await stack.factories.accessKey(project.id, { name: 'None' });
    const ssh = await stack.factories.sshKey(project.id, { name: 'Alpha' });
    const res = track(await p.admin.get<Json[]>(`/api/project/${project.id}/keys`));
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: ssh.id, name: 'Alpha', type: 'ssh', project_id: project.id, ...BLANK_SECRETS },
      { id: none.id, name: 'None', type: 'none', project_id: project.id, ...BLANK_SECRETS, empty: true },
    ]);
    expect(Object.keys(res.body[0])).toEqual(KEY_KEYS);
    expect(Object.keys(res.body[1])).toEqual([...KEY_KEYS, 'empty']);
    expect(Object.keys(res.body[0].ssh as Json)).toEqual(['login', 'passphrase', 'private_key']);
    expect(Object.keys(res.body[0].login_password as Json)).toEqual(['login', 'password']);
  });

  it('sorts by name or type only (asc/desc); other columns fall back to name', async () => {
    const project = await stack.factories.project();
    const b = await stack.factories.accessKey(project.id, { name: 'b', type: AccessKeyType.None });
    const a = await stack.factories.sshKey(project.id, { name: 'a' });
    const c = await stack.factories.accessKey(project.id, { name: 'c', type: AccessKeyType.LoginPassword });
    const ids = async (query: string) =>
      (await p.admin.get<Json[]>(`/api/project/${project.id}/keys${query}`)).body.map((k) => k.id);
    expect(await ids('')).toEqual([a.id, b.id, c.id]);
    expect(await ids('?order=desc')).toEqual([c.id, b.id, a.id]);
    expect(await ids('?sort=type')).toEqual([c.id, b.id, a.id]);
    expect(await ids('?sort=type&order=desc')).toEqual([a.id, b.id, c.id]);
    expect(await ids('?sort=secret')).toEqual([a.id, b.id, c.id]);
    expect(await ids('?sort=id;DROP%20TABLE%20access_key&order=sideways')).toEqual([a.id, b.id, c.id]);
    expect(await ids('?sort=name&sort=type')).toEqual([a.id, b.id, c.id]);
  });

  it('GET {id} returns one key (blank secrets); GET {id}/refs lists what uses it', async () => {
    const key = await keys().findOneByOrFail({ projectId: p.project.id, name: 'Deploy SSH' });
    const single = track(await p.guest.get<Json>(`${P}/${key.id}`));
    expect(single.status).toBe(200);
    expect(Object.keys(single.body)).toEqual(KEY_KEYS);
    expect(single.body).toEqual({
      id: key.id,
      name: 'Deploy SSH',
      type: 'ssh',
      project_id: p.project.id,
      ...BLANK_SECRETS,
    });

    const refs = track(await p.guest.get<Json>(`${P}/${key.id}/refs`));
    expect([refs.status, refs.body]).toEqual([200, EMPTY_REFS]);
    expect(Object.keys(refs.body)).toEqual(['templates', 'inventories', 'repositories', 'schedules']);
  });

  it('refs and DELETE see repositories, inventories (login and become), template vaults and integrations', async () => {
    const f = stack.factories;
    const pid = p.project.id;
    const viaRepo = await f.sshKey(pid);
    const repo = await f.repository(pid, { name: 'R1', sshKeyId: viaRepo.id });
    const viaInv = await f.sshKey(pid);
    const inv = await f.inventory(pid, { name: 'I1', sshKeyId: viaInv.id });
    const viaBecome = await f.accessKey(pid, { type: AccessKeyType.LoginPassword, secret: 'x' });
    const inv2 = await f.inventory(pid, { name: 'I2', becomeKeyId: viaBecome.id });
    const viaVault = await f.accessKey(pid, { type: AccessKeyType.LoginPassword, secret: 'x' });
    const tpl = await f.template(pid, { name: 'T-vault' });
    await f.templateVault(tpl, { vaultKeyId: viaVault.id });
    const viaIntegration = await f.accessKey(pid, { type: AccessKeyType.LoginPassword, secret: 'x' });
    const tpl2 = await f.template(pid, { name: 'T-hook' });
    await f.integration(tpl2, { authSecretId: viaIntegration.id });

    const refsOf = async (id: number) => track(await p.guest.get<Json>(`${P}/${id}/refs`)).body;
    expect(await refsOf(viaRepo.id)).toEqual({ ...EMPTY_REFS, repositories: [{ id: repo.id, name: 'R1' }] });
    expect(await refsOf(viaInv.id)).toEqual({ ...EMPTY_REFS, inventories: [{ id: inv.id, name: 'I1' }] });
    expect(await refsOf(viaBecome.id)).toEqual({ ...EMPTY_REFS, inventories: [{ id: inv2.id, name: 'I2' }] });
    expect(await refsOf(viaVault.id)).toEqual({ ...EMPTY_REFS, templates: [{ id: tpl.id, name: 'T-vault' }] });
    expect(await refsOf(viaIntegration.id)).toEqual({ ...EMPTY_REFS, templates: [{ id: tpl2.id, name: 'T-hook' }] });

    for (const key of [viaRepo, viaInv, viaBecome, viaVault, viaIntegration]) {
      const res = await p.owner.delete(`${P}/${key.id}`);
      expect([key.id, res.status, res.body]).toEqual([
        key.id,
        400,
        { error: 'Access Key is in use by one or more templates', inUse: true },
      ]);
      expect(await keys().existsBy({ id: key.id })).toBe(true);
    }
  });

  it('DELETE removes an unused key (204) and logs it', async () => {
    const key = await stack.factories.sshKey(p.project.id, { name: 'Doomed' });
    const res = await p.manager.delete(`${P}/${key.id}`);
    expect([res.status, res.text]).toEqual([204, '']);
    expect(await keys().existsBy({ id: key.id })).toBe(false);
    expect((await p.guest.get(`${P}/${key.id}`)).body).toEqual({ error: 'Access Key not found' });
    const event = await stack.db.dataSource
      .getRepository(EventEntity)
      .findOneByOrFail({ objectId: key.id, objectType: 'key' });
    expect(event.description).toBe('Access Key Doomed deleted');
  });

  it('PUT changes only the name unless override_secret is true', async () => {
    const created = track(await p.owner.post(P, sshBody('Rotating')));
    expect(created.status).toBe(204);
    const before = await keys().findOneByOrFail({ projectId: p.project.id, name: 'Rotating' });

    const rename = await p.manager.put(`${P}/${before.id}`, {
      ...lpBody('Rotated'),
      id: before.id,
      project_id: p.project.id,
      override_secret: false,
    });
    expect([rename.status, rename.text]).toEqual([204, '']);
    const renamed = await keys().findOneByOrFail({ id: before.id });
    expect(renamed).toMatchObject({ name: 'Rotated', type: 'ssh', secret: before.secret });

    const override = await p.manager.put(`${P}/${before.id}`, { ...lpBody('Now a password'), override_secret: true });
    expect(override.status).toBe(204);
    const after = await keys().findOneByOrFail({ id: before.id });
    expect(after).toMatchObject({ name: 'Now a password', type: 'login_password' });
    expect(cipher.decryptLoginPassword(after.secret ?? '')).toEqual({ login: LOGIN, password: PASSWORD });

    const toNone = await p.manager.put(`${P}/${before.id}`, { name: 'Now none', type: 'none', override_secret: true });
    expect(toNone.status).toBe(204);
    expect(await keys().findOneByOrFail({ id: before.id })).toMatchObject({ type: 'none', secret: null });
    const events = await stack.db.dataSource
      .getRepository(EventEntity)
      .findBy({ objectId: before.id, objectType: 'key' });
    expect(events.map((e) => e.description)).toContain('Access Key Rotated updated');
  });

  it('PUT: the body id/project_id must match the URL; the secret is checked on override', async () => {
    const key = await stack.factories.sshKey(p.project.id, { name: 'Pinned' });
    for (const [payload, field] of [
      [{ name: 'X', id: key.id + 1 }, /^id in the body/],
      [{ name: 'X', id: otherKey.id, project_id: other.id }, /^project_id in the body/],
      [{ name: 'X', project_id: other.id }, /^project_id in the body/],
      [{ name: '' }, /^name is required/],
      [{ type: 'ssh' }, /^name /],
      [{ name: 'X', override_secret: true }, /^type is required/],
      [{ name: 'X', override_secret: true, type: 'ssh', ssh: { private_key: '' } }, /^ssh\.private_key is required/],
      [{ name: 'X', override_secret: true, type: 'login_password' }, /^login_password\.password is required/],
      [{ name: 'X', override_secret: true, type: 'string', string: 'abc' }, /^type must be one of/],
      [{ name: 'X', override_secret: 'yes' }, /^override_secret /],
    ] as Array<[Json, RegExp]>) {
      const res = track(await p.owner.put<{ error: string }>(`${P}/${key.id}`, payload));
      expect([JSON.stringify(payload), res.status, res.body]).toEqual([
        JSON.stringify(payload),
        400,
        { error: expect.stringMatching(field) },
      ]);
    }
    expect(await keys().findOneByOrFail({ id: key.id })).toMatchObject({ name: 'Pinned', type: 'ssh' });
    expect(await keys().findOneByOrFail({ id: otherKey.id })).toMatchObject({ name: 'Foreign', type: 'ssh' });
  });

  it('POST validates the body naming the field and creates nothing', async () => {
    const before = await keys().countBy({ projectId: p.project.id });
    const ssh = (fields: Json) => ({ name: 'Bad', type: 'ssh', ssh: fields });
    for (const [payload, field] of [
      [{}, /^name /],
      [{ name: '', type: 'none' }, /^name is required/],
      [{ name: 'x'.repeat(256), type: 'none' }, /^name /],
      [{ name: 7, type: 'none' }, /^name /],
      [{ name: 'Bad' }, /^type is required/],
      [{ name: 'Bad', type: 'bogus' }, /^type must be one of none, ssh, login_password/],
      [{ name: 'Bad', type: 'string', string: 'internal' }, /^type must be one of/],
      [{ name: 'Bad', type: 'none', project_id: other.id }, /^project_id in the body/],
      [{ name: 'Bad', type: 'none', project_id: 'x' }, /^project_id /],
      [{ name: 'Bad', type: 'ssh' }, /^ssh\.private_key is required/],
      [{ name: 'Bad', type: 'ssh', ssh: 'text' }, /^ssh /],
      [ssh({ private_key: '' }), /^ssh\.private_key is required/],
      [ssh({ private_key: 'not a key' }), /^ssh\.private_key must be a PEM or OpenSSH private key/],
      [ssh({ private_key: KEY_PAIR.public }), /^ssh\.private_key must be one private key/],
      [ssh({ private_key: PRIVATE_KEY }), /^ssh\.passphrase is required/],
      [ssh({ private_key: PRIVATE_KEY, passphrase: 'wrong' }), /^ssh\.passphrase does not decrypt/],
      [ssh({ private_key: 42 }), /^ssh\.private_key /],
      [
        { name: 'Bad', type: 'login_password', login_password: { login: 'x' } },
        /^login_password\.password is required/,
      ],
      [{ name: 'Bad', type: 'login_password', login_password: { password: ['x'] } }, /^login_password\.password /],
    ] as Array<[Json, RegExp]>) {
      const res = track(await p.owner.post<{ error: string }>(P, payload));
      expect([JSON.stringify(payload).slice(0, 80), res.status, res.body]).toEqual([
        JSON.stringify(payload).slice(0, 80),
        400,
        { error: expect.stringMatching(field) },
      ]);
    }
    expect(await keys().countBy({ projectId: p.project.id })).toBe(before);
    expect((await p.owner.post(P, 'not json', { headers: { 'content-type': 'application/json' } })).status).toBe(400);
  });

  it("another project's key (or a global key) through this project's URL is 404 on every route", async () => {
    const globalKey = await stack.factories.sshKey(null, { name: 'Global' });
    for (const id of [otherKey.id, globalKey.id, 2_000_000]) {
      for (const [method, path] of [
        ['get', `${P}/${id}`],
        ['get', `${P}/${id}/refs`],
        ['put', `${P}/${id}`],
        ['delete', `${P}/${id}`],
      ] as const) {
        const res = method === 'put' ? await p.owner.put(path, { name: 'hijack' }) : await p.owner[method](path);
        expect([method, path, res.status, res.body]).toEqual([method, path, 404, { error: 'Access Key not found' }]);
      }
    }
    expect((await p.owner.get(`${P}/abc`)).status).toBe(400);
    expect(await keys().findOneByOrFail({ id: otherKey.id })).toMatchObject({ name: 'Foreign' });
    expect(await keys().findOneByOrFail({ id: globalKey.id })).toMatchObject({ name: 'Global' });
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
        const key = await stack.factories.accessKey(p.project.id, { name: 'Fixed' });
        const doomed = await stack.factories.accessKey(p.project.id);
        const post = await actor(role).post(P, { ...lpBody(`by ${role}`) });
        const put = await actor(role).put(`${P}/${key.id}`, { name: `renamed by ${role}` });
        const del = await actor(role).delete(`${P}/${doomed.id}`);
        const codes = expected === 'ok' ? [204, 204, 204] : [expected, expected, expected];
        expect([role, post.status, put.status, del.status]).toEqual([role, ...codes]);
        const name = (await keys().findOneByOrFail({ id: key.id })).name;
        expect([role, name]).toEqual([role, expected === 'ok' ? `renamed by ${role}` : 'Fixed']);
        expect([role, await keys().existsBy({ id: doomed.id })]).toEqual([role, expected !== 'ok']);
        expect([role, await keys().existsBy({ name: `by ${role}` })]).toEqual([role, expected === 'ok']);
      }
    });

    it('reads are open to members, 404 for non-members, 401 without credentials (no side effect)', async () => {
      const key = await stack.factories.accessKey(p.project.id);
      for (const path of [P, `${P}/${key.id}`, `${P}/${key.id}/refs`]) {
        for (const role of ['owner', 'manager', 'task_runner', 'guest', 'admin']) {
          expect([path, role, (await actor(role).get(path)).status]).toEqual([path, role, 200]);
        }
        expect((await p.nonMember.get(path)).status).toBe(404);
        expect((await stack.client().get(path)).status).toBe(401);
      }
      expect((await stack.client().post(P, { name: 'anonymous', type: 'none' })).status).toBe(401);
      expect((await stack.client().delete(`${P}/${key.id}`)).status).toBe(401);
      expect(await keys().existsBy({ name: 'anonymous' })).toBe(false);
      expect(await keys().existsBy({ id: key.id })).toBe(true);
    });
  });

  it('never returns a secret: lists, single GETs, refs, events and errors', async () => {
    const mine = await keys().findBy({ projectId: p.project.id });
    track(await p.owner.get(P));
    track(await p.owner.get(`${P}?sort=type`));
    for (const key of mine) {
      track(await p.owner.get(`${P}/${key.id}`));
      track(await p.owner.get(`${P}/${key.id}/refs`));
    }
    for (const other of ['repositories', 'inventory', 'environment', 'templates', 'integrations']) {
      track(await p.owner.get(`/api/project/${p.project.id}/${other}`));
    }
    track(await p.owner.get(`/api/project/${p.project.id}/events`));
    track(await p.owner.get(`/api/project/${p.project.id}/events/last`));
    track(await p.admin.get('/api/events'));
    const descriptions = (await stack.db.dataSource.getRepository(EventEntity).find()).map((e) => e.description);
    seen.push(JSON.stringify(descriptions));
    expect(seen.length).toBeGreaterThan(40);
    expect(seen.join('\n')).toContain('Deploy SSH');
    for (const text of seen) {
      for (const secret of SECRETS) expect(text.includes(secret) ? secret : null).toBeNull();
    }
  });
});
