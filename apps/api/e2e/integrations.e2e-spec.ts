import { AccessKeyType } from '@semaphore/models';
import {
  AccessKeyEntity,
  EventEntity,
  IntegrationAliasEntity,
  IntegrationEntity,
  IntegrationExtractValueEntity,
  IntegrationMatcherEntity,
  type ProjectEntity,
  type TemplateEntity,
} from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';

const WEB_ROOT = 'https://ops.example.test/semaphore/';
/** What the stored (encrypted) auth secret looks like in the database: it must never reach a response. */
const SECRET_CIPHERTEXT = 'djE6SU5URUdSQVRJT04tU0VDUkVULWNpcGhlcnRleHQtbWFya2Vy';

const INTEGRATION_KEYS = [
  'id',
  'name',
  'project_id',
  'template_id',
  'auth_method',
  'auth_secret_id',
  'auth_header',
  'searchable',
  'task_params',
];
const MATCHER_KEYS = ['id', 'integration_id', 'name', 'match_type', 'method', 'body_data_type', 'key', 'value'];
const VALUE_KEYS = ['id', 'integration_id', 'name', 'value_source', 'body_data_type', 'key', 'variable'];

interface WireIntegration {
  id: number;
  name: string;
  project_id: number;
  template_id: number;
  auth_method: string;
  auth_secret_id: number | null;
  auth_header: string;
  searchable: boolean;
  task_params: Record<string, unknown> | null;
}
type Wire = Record<string, unknown> & { id: number };
type ErrorBody = { error: string };
type Patch = Record<string, unknown>;

/** A readable test name for a body patch: `name=""`, `without name`. */
function label(patch: Patch): string {
  return Object.entries(patch)
    .map(([k, v]) => (v === undefined ? `without ${k}` : `${k}=${JSON.stringify(v).slice(0, 40)}`))
    .join(', ');
}

describe('integrations (P/integrations, matchers, values, aliases)', () => {
  let stack: ApiStack;
  let p: ProjectActors;
  let template: TemplateEntity;
  let secretKey: AccessKeyEntity;
  let other: ProjectEntity;
  let otherTemplate: TemplateEntity;
  let P: string;

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_WEB_ROOT: WEB_ROOT });
    p = await stack.projectWithMembers();
    P = `/api/project/${p.project.id}`;
    template = await stack.factories.template(p.project.id, { name: 'Deploy' });
    secretKey = await stack.factories.accessKey(p.project.id, {
      type: AccessKeyType.LoginPassword,
      secret: SECRET_CIPHERTEXT,
    });
    other = await stack.factories.project();
    otherTemplate = await stack.factories.template(other.id);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const integration = (overrides: Partial<IntegrationEntity> = {}) => stack.factories.integration(template, overrides);
  const rows = <T extends object>(entity: new () => T) => stack.db.dataSource.getRepository(entity);

  function expectNoSecret(text: string): void {
    expect(text).not.toContain(SECRET_CIPHERTEXT);
    expect(text).not.toMatch(/"(password|secret|login_password)"/);
  }

  describe('integrations', () => {
    it('POST creates one: 201 with the Integration in Appendix A key order, secret id but never the secret', async () => {
      const res = await p.manager.post<WireIntegration>(`${P}/integrations`, {
        name: 'deploy on push',
        template_id: template.id,
        auth_method: 'github',
        auth_secret_id: secretKey.id,
        searchable: true,
        task_params: { debug: true },
      });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual(INTEGRATION_KEYS);
      expect(res.body).toEqual({
        id: expect.any(Number),
        name: 'deploy on push',
        project_id: p.project.id,
        template_id: template.id,
        auth_method: 'github',
        auth_secret_id: secretKey.id,
        auth_header: '',
        searchable: true,
        task_params: { debug: true },
      });
      expectNoSecret(res.text);

      const got = await p.guest.get<WireIntegration>(`${P}/integrations/${res.body.id}`);
      expect(got.status).toBe(200);
      expect(Object.keys(got.body)).toEqual(INTEGRATION_KEYS);
      expect(got.body).toEqual(res.body);
      expectNoSecret(got.text);
    });

    it('POST defaults: auth_method "", auth_secret_id null, searchable false, task_params null', async () => {
      const res = await p.owner.post<WireIntegration>(`${P}/integrations`, { name: 'plain', template_id: template.id });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        auth_method: '',
        auth_secret_id: null,
        auth_header: '',
        searchable: false,
        task_params: null,
      });
    });

    it('GET lists the project integrations sorted by name (order=desc reverses, unknown sort falls back)', async () => {
      const project = await stack.factories.project();
      const member = await stack.withToken();
      await stack.factories.projectMember(project.id, member.user.id);
      const tpl = await stack.factories.template(project.id);
      for (const name of ['bravo', 'alpha', 'charlie']) await stack.factories.integration(tpl, { name });
      await stack.factories.integration(otherTemplate, { name: 'other project' });
      const base = `/api/project/${project.id}/integrations`;

      const asc = await member.client.get<WireIntegration[]>(base);
      expect(asc.status).toBe(200);
      expect(asc.body.map((i) => i.name)).toEqual(['alpha', 'bravo', 'charlie']);
      for (const item of asc.body) expect(Object.keys(item)).toEqual(INTEGRATION_KEYS);
      const desc = await member.client.get<WireIntegration[]>(`${base}?sort=name&order=desc`);
      expect(desc.body.map((i) => i.name)).toEqual(['charlie', 'bravo', 'alpha']);
      const bogus = await member.client.get<WireIntegration[]>(`${base}?sort=id;drop table task&order=sideways`);
      expect(bogus.status).toBe(200);
      expect(bogus.body.map((i) => i.name)).toEqual(['alpha', 'bravo', 'charlie']);
    });

    it('PUT updates (204), keeps unsent fields, and the change is visible', async () => {
      const created = await integration({ name: 'before', searchable: true, taskParams: { a: 1 } });
      const res = await p.manager.put(`${P}/integrations/${created.id}`, {
        id: created.id,
        project_id: p.project.id,
        name: 'after',
        auth_method: 'token',
        auth_secret_id: secretKey.id,
        auth_header: 'X-Deploy-Token',
        task_params: { b: [1, 2] },
      });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const got = await p.manager.get<WireIntegration>(`${P}/integrations/${created.id}`);
      expect(got.body).toEqual({
        id: created.id,
        name: 'after',
        project_id: p.project.id,
        template_id: template.id,
        auth_method: 'token',
        auth_secret_id: secretKey.id,
        auth_header: 'X-Deploy-Token',
        searchable: true,
        task_params: { b: [1, 2] },
      });
      const cleared = await p.manager.put(`${P}/integrations/${created.id}`, {
        auth_method: '',
        auth_secret_id: null,
        task_params: null,
      });
      expect(cleared.status).toBe(204);
      const after = await p.manager.get<WireIntegration>(`${P}/integrations/${created.id}`);
      expect(after.body).toMatchObject({ auth_method: '', auth_secret_id: null, task_params: null, name: 'after' });
    });

    it('DELETE removes it (204) with its matchers, values and aliases', async () => {
      const created = await integration();
      await stack.factories.integrationMatcher(created.id);
      await stack.factories.integrationExtractValue(created.id);
      await stack.factories.integrationAlias(p.project.id, { integrationId: created.id });
      const res = await p.manager.delete(`${P}/integrations/${created.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect((await p.manager.get(`${P}/integrations/${created.id}`)).status).toBe(404);
      expect(await rows(IntegrationMatcherEntity).countBy({ integrationId: created.id })).toBe(0);
      expect(await rows(IntegrationExtractValueEntity).countBy({ integrationId: created.id })).toBe(0);
      expect(await rows(IntegrationAliasEntity).countBy({ integrationId: created.id })).toBe(0);
    });

    it('GET refs lists its matchers and values as {id, name}', async () => {
      const created = await integration();
      const m = await stack.factories.integrationMatcher(created.id, { name: 'only main' });
      const v = await stack.factories.integrationExtractValue(created.id, { name: 'commit' });
      const res = await p.guest.get<Record<string, unknown>>(`${P}/integrations/${created.id}/refs`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['matchers', 'values']);
      expect(res.body).toEqual({ matchers: [{ id: m.id, name: 'only main' }], values: [{ id: v.id, name: 'commit' }] });
    });

    it.each(
      (
        [
          [{ name: undefined }, /^name /],
          [{ template_id: undefined }, /^template_id /],
          [{ name: '' }, /^name /],
          [{ name: 'x'.repeat(256) }, /^name /],
          [{ name: 5 }, /^name /],
          [{ template_id: '7' }, /^template_id /],
          [{ template_id: 2 ** 40 }, /^template_id /],
          [{ auth_method: 'basic' }, /^auth_method /],
          [{ auth_header: 'X Bad Header' }, /^auth_header /],
          [{ auth_header: 'X-Bad\r\nInjected: yes' }, /^auth_header /],
          [{ searchable: 'yes' }, /^searchable /],
          [{ task_params: [1, 2] }, /^task_params /],
          [{ task_params: 'text' }, /^task_params /],
          [{ auth_secret_id: -1 }, /^auth_secret_id /],
        ] as [Patch, RegExp][]
      ).map(([patch, message]) => [label(patch), patch, message] as const),
    )('POST refuses %s with a 400 naming the field', async (_label, patch, message) => {
      const before = await rows(IntegrationEntity).count();
      const res = await p.owner.post<ErrorBody>(`${P}/integrations`, {
        name: 'ok',
        template_id: template.id,
        ...patch,
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(message);
      expect(await rows(IntegrationEntity).count()).toBe(before);
    });

    it('a body that is not a JSON object, or malformed JSON, is a 400 and creates nothing', async () => {
      const parent = await integration();
      const before = await rows(IntegrationEntity).count();
      for (const path of [
        '/integrations',
        `/integrations/${parent.id}/matchers`,
        `/integrations/${parent.id}/values`,
      ]) {
        for (const raw of ['[]', '"text"', '42', 'null', '{"name": ']) {
          const res = await p.owner.post<ErrorBody>(`${P}${path}`, raw);
          expect({ path, raw, status: res.status }).toEqual({ path, raw, status: 400 });
          expect(res.body).toEqual({ error: expect.any(String) });
        }
      }
      expect(await rows(IntegrationEntity).count()).toBe(before);
      expect(await rows(IntegrationMatcherEntity).countBy({ integrationId: parent.id })).toBe(0);
    });

    it('an authenticated method needs a login_password key of the project as secret', async () => {
      const noneKey = await stack.factories.accessKey(p.project.id);
      const sshKey = await stack.factories.sshKey(p.project.id);
      const otherKey = await stack.factories.accessKey(other.id, { type: AccessKeyType.LoginPassword, secret: 'x' });
      const globalKey = await stack.factories.accessKey(null, { type: AccessKeyType.LoginPassword, secret: 'x' });
      const base = { name: 'hook', template_id: template.id };
      for (const body of [
        { ...base, auth_method: 'github' },
        { ...base, auth_method: 'hmac', auth_secret_id: null },
        { ...base, auth_method: 'token', auth_secret_id: noneKey.id },
        { ...base, auth_method: 'github', auth_secret_id: sshKey.id },
        { ...base, auth_method: 'github', auth_secret_id: otherKey.id },
        { ...base, auth_method: 'github', auth_secret_id: globalKey.id },
        { ...base, auth_method: '', auth_secret_id: otherKey.id },
        { ...base, auth_method: 'github', auth_secret_id: 999_999 },
      ]) {
        const res = await p.owner.post<ErrorBody>(`${P}/integrations`, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.error).toMatch(/^auth_secret_id /);
      }
      const existing = await integration();
      const put = await p.owner.put<ErrorBody>(`${P}/integrations/${existing.id}`, { auth_method: 'hmac' });
      expect(put.status).toBe(400);
      expect(put.body.error).toMatch(/^auth_secret_id /);
    });

    it('refuses a template of another project (400) and ids in the body that differ from the URL', async () => {
      const post = await p.owner.post<ErrorBody>(`${P}/integrations`, { name: 'x', template_id: otherTemplate.id });
      expect(post.status).toBe(400);
      expect(post.body.error).toMatch(/^template_id /);
      const moved = await p.owner.post<ErrorBody>(`${P}/integrations`, {
        name: 'x',
        template_id: template.id,
        project_id: other.id,
      });
      expect(moved.status).toBe(400);
      expect(moved.body.error).toMatch(/^project_id /);

      const existing = await integration({ name: 'stays' });
      for (const [body, field] of [
        [{ template_id: otherTemplate.id }, /^template_id /],
        [{ template_id: 999_999 }, /^template_id /],
        [{ project_id: other.id }, /^project_id /],
        [{ id: existing.id + 1000 }, /^id /],
      ] as const) {
        const res = await p.owner.put<ErrorBody>(`${P}/integrations/${existing.id}`, { name: 'changed', ...body });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatch(field);
      }
      expect(await rows(IntegrationEntity).findOneByOrFail({ id: existing.id })).toMatchObject({
        name: 'stays',
        projectId: p.project.id,
        templateId: template.id,
      });
    });

    it('another project’s integration, an unknown id and a bad id through this URL', async () => {
      const foreign = await stack.factories.integration(otherTemplate, { name: 'foreign' });
      for (const path of [`/integrations/${foreign.id}`, `/integrations/${foreign.id}/refs`, '/integrations/999999']) {
        const res = await p.owner.get<ErrorBody>(`${P}${path}`);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ error: 'Integration not found' });
      }
      expect((await p.owner.put(`${P}/integrations/${foreign.id}`, { name: 'stolen' })).status).toBe(404);
      expect((await p.admin.delete(`${P}/integrations/${foreign.id}`)).status).toBe(404);
      expect(await rows(IntegrationEntity).findOneByOrFail({ id: foreign.id })).toMatchObject({ name: 'foreign' });
      const bad = await p.owner.get<ErrorBody>(`${P}/integrations/abc`);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/^integration_id /);
    });

    it('writes events for create, update and delete, naming the integration and never its secret', async () => {
      const created = await p.owner.post<WireIntegration>(`${P}/integrations`, {
        name: 'audited',
        template_id: template.id,
        auth_method: 'hmac',
        auth_secret_id: secretKey.id,
        auth_header: 'X-Signature',
      });
      const id = created.body.id;
      await p.owner.put(`${P}/integrations/${id}`, { name: 'audited2' });
      await p.owner.delete(`${P}/integrations/${id}`);
      const events = await rows(EventEntity).find({
        where: { projectId: p.project.id, objectType: 'integration', objectId: id },
        order: { id: 'ASC' },
      });
      expect(events.map((e) => e.description)).toEqual([
        'Integration audited created',
        'Integration audited2 updated',
        'Integration audited2 deleted',
      ]);
      expect(events.every((e) => e.userId !== null)).toBe(true);
      expectNoSecret(JSON.stringify(events));
    });
  });

  describe('matchers', () => {
    it('POST (200), GET list/one, PUT (204), refs and DELETE (204) in upstream key order', async () => {
      const parent = await integration();
      const base = `${P}/integrations/${parent.id}/matchers`;
      const created = await p.manager.post<Wire>(base, {
        integration_id: parent.id,
        name: 'main only',
        match_type: 'body',
        method: 'equals',
        body_data_type: 'json',
        key: 'ref',
        value: 'refs/heads/main',
      });
      expect(created.status).toBe(200);
      expect(Object.keys(created.body)).toEqual(MATCHER_KEYS);
      expect(created.body).toEqual({
        id: expect.any(Number),
        integration_id: parent.id,
        name: 'main only',
        match_type: 'body',
        method: 'equals',
        body_data_type: 'json',
        key: 'ref',
        value: 'refs/heads/main',
      });
      const id = created.body.id;
      await stack.factories.integrationMatcher(parent.id, { name: 'a header' });

      const list = await p.guest.get<Wire[]>(base);
      expect(list.status).toBe(200);
      expect(list.body.map((m) => m.name)).toEqual(['a header', 'main only']);
      for (const m of list.body) expect(Object.keys(m)).toEqual(MATCHER_KEYS);
      const desc = await p.guest.get<Wire[]>(`${base}?order=desc`);
      expect(desc.body.map((m) => m.name)).toEqual(['main only', 'a header']);
      expect((await p.guest.get(`${base}/${id}`)).body).toEqual(created.body);

      const put = await p.manager.put(`${base}/${id}`, { id, method: 'contains', value: 'main' });
      expect(put.status).toBe(204);
      expect((await p.guest.get(`${base}/${id}`)).body).toEqual({ ...created.body, method: 'contains', value: 'main' });

      const refs = await p.guest.get(`${base}/${id}/refs`);
      expect(refs.status).toBe(200);
      expect(refs.body).toEqual({ integrations: [{ id: parent.id, name: parent.name }] });

      expect((await p.manager.delete(`${base}/${id}`)).status).toBe(204);
      expect((await p.guest.get(`${base}/${id}`)).status).toBe(404);
    });

    it('defaults method to equals and body_data_type to json; body + string needs no key', async () => {
      const parent = await integration();
      const res = await p.owner.post<Wire>(`${P}/integrations/${parent.id}/matchers`, {
        name: 'whole body',
        match_type: 'body',
        body_data_type: 'string',
        value: 'deploy',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ method: 'equals', body_data_type: 'string', key: '' });
      const header = await p.owner.post<Wire>(`${P}/integrations/${parent.id}/matchers`, {
        name: 'event',
        match_type: 'header',
        key: 'X-GitHub-Event',
        value: 'push',
      });
      expect(header.body).toMatchObject({ method: 'equals', body_data_type: 'json', key: 'X-GitHub-Event' });
    });

    it.each(
      (
        [
          [{ name: undefined }, /^name /],
          [{ match_type: undefined }, /^match_type /],
          [{ match_type: 'query' }, /^match_type /],
          [{ method: 'regex' }, /^method /],
          [{ body_data_type: 'xml' }, /^body_data_type /],
          [{ value: undefined }, /^value /],
          [{ value: '' }, /^value /],
          [{ key: undefined }, /^key /],
          [{ match_type: 'header', key: '' }, /^key /],
          [{ key: 'k'.repeat(256) }, /^key /],
          [{ integration_id: 'x' }, /^integration_id /],
        ] as [Patch, RegExp][]
      ).map(([patch, message]) => [label(patch), patch, message] as const),
    )('POST refuses %s with a 400 naming the field', async (_label, patch, message) => {
      const parent = await integration();
      const body = { name: 'm', match_type: 'body', key: 'ref', value: 'v', ...patch };
      const res = await p.owner.post<ErrorBody>(`${P}/integrations/${parent.id}/matchers`, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(message);
      expect(await rows(IntegrationMatcherEntity).countBy({ integrationId: parent.id })).toBe(0);
    });

    it('the body integration_id (and id on PUT) must be those of the URL', async () => {
      const parent = await integration();
      const foreign = await stack.factories.integration(otherTemplate);
      const base = `${P}/integrations/${parent.id}/matchers`;
      const body = { name: 'm', match_type: 'header', key: 'X-A', value: 'b' };
      const post = await p.owner.post<ErrorBody>(base, { ...body, integration_id: foreign.id });
      expect(post.status).toBe(400);
      expect(post.body.error).toMatch(/^integration_id /);
      expect(await rows(IntegrationMatcherEntity).countBy({ integrationId: foreign.id })).toBe(0);
      const m = await stack.factories.integrationMatcher(parent.id);
      const moved = await p.owner.put<ErrorBody>(`${base}/${m.id}`, { integration_id: foreign.id });
      expect(moved.status).toBe(400);
      expect(moved.body.error).toMatch(/^integration_id /);
      const renumbered = await p.owner.put<ErrorBody>(`${base}/${m.id}`, { id: m.id + 1 });
      expect(renumbered.status).toBe(400);
      expect(renumbered.body.error).toMatch(/^id /);
      expect(await rows(IntegrationMatcherEntity).findOneByOrFail({ id: m.id })).toMatchObject({
        integrationId: parent.id,
      });
    });

    it('another project’s integration or another integration’s matcher through this URL: 404', async () => {
      const parent = await integration();
      const sibling = await integration();
      const foreign = await stack.factories.integration(otherTemplate);
      const siblingMatcher = await stack.factories.integrationMatcher(sibling.id, { value: 'unchanged' });
      const foreignMatcher = await stack.factories.integrationMatcher(foreign.id, { value: 'unchanged' });
      const paths: [string, ErrorBody][] = [
        [`/integrations/${parent.id}/matchers/${siblingMatcher.id}`, { error: 'Integration matcher not found' }],
        [`/integrations/${foreign.id}/matchers/${foreignMatcher.id}`, { error: 'Integration not found' }],
        [`/integrations/${foreign.id}/matchers`, { error: 'Integration not found' }],
      ];
      for (const [path, error] of paths) {
        const got = await p.owner.get(`${P}${path}`);
        expect({ path, status: got.status, body: got.body }).toEqual({ path, status: 404, body: error });
      }
      for (const m of [siblingMatcher, foreignMatcher]) {
        const at = `${P}/integrations/${parent.id}/matchers/${m.id}`;
        expect((await p.owner.put(at, { value: 'stolen' })).status).toBe(404);
        expect((await p.owner.delete(at)).status).toBe(404);
        expect((await p.owner.get(`${at}/refs`)).status).toBe(404);
        expect(await rows(IntegrationMatcherEntity).findOneByOrFail({ id: m.id })).toMatchObject({
          value: 'unchanged',
        });
      }
      const post = await p.owner.post(`${P}/integrations/${foreign.id}/matchers`, {
        name: 'm',
        match_type: 'header',
        key: 'X',
        value: 'v',
      });
      expect(post.status).toBe(404);
      const bad = await p.owner.get<ErrorBody>(`${P}/integrations/${parent.id}/matchers/1x`);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/^matcher_id /);
    });
  });

  describe('extract values', () => {
    it('POST (201), GET list/one, PUT (204), refs and DELETE (204) in upstream key order', async () => {
      const parent = await integration();
      const base = `${P}/integrations/${parent.id}/values`;
      const created = await p.manager.post<Wire>(base, {
        name: 'commit',
        value_source: 'body',
        body_data_type: 'json',
        key: 'head_commit.id',
        variable: 'COMMIT_ID',
      });
      expect(created.status).toBe(201);
      expect(Object.keys(created.body)).toEqual(VALUE_KEYS);
      expect(created.body).toEqual({
        id: expect.any(Number),
        integration_id: parent.id,
        name: 'commit',
        value_source: 'body',
        body_data_type: 'json',
        key: 'head_commit.id',
        variable: 'COMMIT_ID',
      });
      const id = created.body.id;
      const list = await p.guest.get<Wire[]>(base);
      expect(list.status).toBe(200);
      expect(list.body).toEqual([created.body]);
      expect((await p.guest.get(`${base}/${id}`)).body).toEqual(created.body);

      const put = await p.manager.put(`${base}/${id}`, { value_source: 'header', key: 'X-Commit', variable: '_C2' });
      expect(put.status).toBe(204);
      expect((await p.guest.get(`${base}/${id}`)).body).toEqual({
        ...created.body,
        value_source: 'header',
        key: 'X-Commit',
        variable: '_C2',
      });
      const refs = await p.guest.get(`${base}/${id}/refs`);
      expect(refs.body).toEqual({ integrations: [{ id: parent.id, name: parent.name }] });
      expect((await p.manager.delete(`${base}/${id}`)).status).toBe(204);
      expect((await p.guest.get<ErrorBody>(`${base}/${id}`)).body).toEqual({
        error: 'Integration extract value not found',
      });
    });

    it.each(
      (
        [
          [{ variable: '1ABC' }, /^variable /],
          [{ variable: 'A-B' }, /^variable /],
          [{ variable: 'A B' }, /^variable /],
          [{ variable: '' }, /^variable /],
          [{ variable: undefined }, /^variable /],
          [{ value_source: 'query' }, /^value_source /],
          [{ value_source: undefined }, /^value_source /],
          [{ body_data_type: 'yaml' }, /^body_data_type /],
          [{ name: undefined }, /^name /],
          [{ key: '' }, /^key /],
          [{ integration_id: 999_999 }, /^integration_id /],
        ] as [Patch, RegExp][]
      ).map(([patch, message]) => [label(patch), patch, message] as const),
    )('POST refuses %s with a 400 naming the field', async (_label, patch, message) => {
      const parent = await integration();
      const body = { name: 'v', value_source: 'body', key: 'ref', variable: 'REF', ...patch };
      const res = await p.owner.post<ErrorBody>(`${P}/integrations/${parent.id}/values`, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(message);
      expect(await rows(IntegrationExtractValueEntity).countBy({ integrationId: parent.id })).toBe(0);
    });

    it('another project’s integration or another integration’s value through this URL: 404', async () => {
      const parent = await integration();
      const foreign = await stack.factories.integration(otherTemplate);
      const foreignValue = await stack.factories.integrationExtractValue(foreign.id, { variable: 'KEEP' });
      for (const path of [
        `/integrations/${parent.id}/values/${foreignValue.id}`,
        `/integrations/${foreign.id}/values/${foreignValue.id}`,
        `/integrations/${parent.id}/values/${foreignValue.id}/refs`,
      ]) {
        expect((await p.owner.get(`${P}${path}`)).status).toBe(404);
      }
      const at = `${P}/integrations/${parent.id}/values/${foreignValue.id}`;
      expect((await p.owner.put(at, { variable: 'STOLEN' })).status).toBe(404);
      expect((await p.owner.delete(at)).status).toBe(404);
      expect(await rows(IntegrationExtractValueEntity).findOneByOrFail({ id: foreignValue.id })).toMatchObject({
        variable: 'KEEP',
      });
    });
  });

  describe('aliases', () => {
    const ALIAS_URL = /^https:\/\/ops\.example\.test\/semaphore\/api\/integrations\/[a-z0-9]{16}$/;

    it('project level: GET P/integrations/aliases is routed as aliases, POST gives 200 {id,url}, DELETE 204', async () => {
      const project = await stack.factories.project();
      const owner = await stack.withToken();
      await stack.factories.projectMember(project.id, owner.user.id);
      const base = `/api/project/${project.id}/integrations/aliases`;
      const empty = await owner.client.get(base);
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual([]);

      const a = await owner.client.post<{ id: number; url: string }>(base);
      const b = await owner.client.post<{ id: number; url: string }>(base);
      for (const res of [a, b]) {
        expect(res.status).toBe(200);
        expect(Object.keys(res.body)).toEqual(['id', 'url']);
        expect(res.body.url).toMatch(ALIAS_URL);
      }
      expect(a.body.url).not.toBe(b.body.url);
      const stored = await rows(IntegrationAliasEntity).findOneByOrFail({ id: a.body.id });
      expect(stored).toMatchObject({ projectId: project.id, integrationId: null });
      expect(a.body.url.endsWith(`/${stored.alias}`)).toBe(true);

      const list = await owner.client.get(base);
      expect(list.body).toEqual([a.body, b.body]);
      const del = await owner.client.delete(`${base}/${a.body.id}`);
      expect(del.status).toBe(204);
      expect((await owner.client.get(base)).body).toEqual([b.body]);
      expect((await owner.client.delete(`${base}/${a.body.id}`)).status).toBe(404);
    });

    it('per integration: its own list, create (200) and delete; the two kinds never mix', async () => {
      const parent = await integration();
      const base = `${P}/integrations/${parent.id}/aliases`;
      const created = await p.manager.post<{ id: number; url: string }>(base);
      expect(created.status).toBe(200);
      expect(Object.keys(created.body)).toEqual(['id', 'url']);
      expect(created.body.url).toMatch(ALIAS_URL);
      expect(await rows(IntegrationAliasEntity).findOneByOrFail({ id: created.body.id })).toMatchObject({
        projectId: p.project.id,
        integrationId: parent.id,
      });
      expect((await p.guest.get(base)).body).toEqual([created.body]);
      const projectLevel = await p.manager.get<{ id: number }[]>(`${P}/integrations/aliases`);
      expect(projectLevel.body.map((a) => a.id)).not.toContain(created.body.id);
      // An integration alias cannot be deleted as a project alias, nor through another integration.
      const sibling = await integration();
      expect((await p.manager.delete(`${P}/integrations/aliases/${created.body.id}`)).status).toBe(404);
      expect((await p.manager.delete(`${P}/integrations/${sibling.id}/aliases/${created.body.id}`)).status).toBe(404);
      const projectAlias = await stack.factories.integrationAlias(p.project.id);
      expect((await p.manager.delete(`${base}/${projectAlias.id}`)).status).toBe(404);
      expect(await rows(IntegrationAliasEntity).countBy({ id: projectAlias.id })).toBe(1);

      expect((await p.manager.delete(`${base}/${created.body.id}`)).status).toBe(204);
      expect((await p.guest.get(base)).body).toEqual([]);
    });

    it('another project’s aliases and integrations: 404, nothing deleted or created', async () => {
      const foreign = await stack.factories.integration(otherTemplate);
      const foreignProjectAlias = await stack.factories.integrationAlias(other.id);
      const foreignAlias = await stack.factories.integrationAlias(other.id, { integrationId: foreign.id });
      expect((await p.owner.delete(`${P}/integrations/aliases/${foreignProjectAlias.id}`)).status).toBe(404);
      expect((await p.owner.get(`${P}/integrations/${foreign.id}/aliases`)).status).toBe(404);
      expect((await p.owner.post(`${P}/integrations/${foreign.id}/aliases`)).status).toBe(404);
      expect((await p.owner.delete(`${P}/integrations/${foreign.id}/aliases/${foreignAlias.id}`)).status).toBe(404);
      expect(await rows(IntegrationAliasEntity).countBy({ projectId: other.id })).toBe(2);
      const own = await p.owner.get<{ id: number }[]>(`${P}/integrations/aliases`);
      expect(own.body.map((a) => a.id)).not.toContain(foreignProjectAlias.id);
    });
  });

  describe('access', () => {
    it('anonymous: 401; non-member: 404; every member (guest too) can read', async () => {
      const created = await integration();
      const paths = [
        '/integrations',
        `/integrations/${created.id}`,
        `/integrations/${created.id}/refs`,
        `/integrations/${created.id}/matchers`,
        `/integrations/${created.id}/values`,
        `/integrations/${created.id}/aliases`,
        '/integrations/aliases',
      ];
      const clients: [string, ApiClient, number][] = [
        ['anonymous', stack.client(), 401],
        ['non-member', p.nonMember, 404],
        ['guest', p.guest, 200],
        ['task_runner', p.task_runner, 200],
        ['manager', p.manager, 200],
        ['owner', p.owner, 200],
        ['admin', p.admin, 200],
      ];
      const cases = paths.flatMap((path) =>
        clients.map(([who, client, expected]) => ({ path, who, client, expected })),
      );
      const results = await Promise.all(
        cases.map(async ({ path, who, client }) => ({ path, who, status: (await client.get(`${P}${path}`)).status })),
      );
      expect(results).toEqual(cases.map(({ path, who, expected }) => ({ path, who, status: expected })));
    });

    /** A write route: `prepare` makes fresh objects and returns the request to send. */
    interface WriteRoute {
      name: string;
      method: 'post' | 'put' | 'delete';
      success: number;
      prepare: () => Promise<{ path: string; body?: unknown }>;
    }
    const ROUTES: WriteRoute[] = [
      {
        name: 'POST integrations',
        method: 'post',
        success: 201,
        prepare: async () => ({ path: '/integrations', body: { name: 'matrix', template_id: template.id } }),
      },
      {
        name: 'PUT integration',
        method: 'put',
        success: 204,
        prepare: async () => ({ path: `/integrations/${(await integration()).id}`, body: { name: 'renamed' } }),
      },
      {
        name: 'DELETE integration',
        method: 'delete',
        success: 204,
        prepare: async () => ({ path: `/integrations/${(await integration()).id}` }),
      },
      {
        name: 'POST matcher',
        method: 'post',
        success: 200,
        prepare: async () => ({
          path: `/integrations/${(await integration()).id}/matchers`,
          body: { name: 'm', match_type: 'header', key: 'X-A', value: 'b' },
        }),
      },
      {
        name: 'PUT matcher',
        method: 'put',
        success: 204,
        prepare: async () => {
          const parent = await integration();
          const m = await stack.factories.integrationMatcher(parent.id);
          return { path: `/integrations/${parent.id}/matchers/${m.id}`, body: { value: 'changed' } };
        },
      },
      {
        name: 'DELETE matcher',
        method: 'delete',
        success: 204,
        prepare: async () => {
          const parent = await integration();
          const m = await stack.factories.integrationMatcher(parent.id);
          return { path: `/integrations/${parent.id}/matchers/${m.id}` };
        },
      },
      {
        name: 'POST value',
        method: 'post',
        success: 201,
        prepare: async () => ({
          path: `/integrations/${(await integration()).id}/values`,
          body: { name: 'v', value_source: 'header', key: 'X-A', variable: 'A' },
        }),
      },
      {
        name: 'PUT value',
        method: 'put',
        success: 204,
        prepare: async () => {
          const parent = await integration();
          const v = await stack.factories.integrationExtractValue(parent.id);
          return { path: `/integrations/${parent.id}/values/${v.id}`, body: { variable: 'CHANGED' } };
        },
      },
      {
        name: 'DELETE value',
        method: 'delete',
        success: 204,
        prepare: async () => {
          const parent = await integration();
          const v = await stack.factories.integrationExtractValue(parent.id);
          return { path: `/integrations/${parent.id}/values/${v.id}` };
        },
      },
      {
        name: 'POST project alias',
        method: 'post',
        success: 200,
        prepare: async () => ({ path: '/integrations/aliases' }),
      },
      {
        name: 'DELETE project alias',
        method: 'delete',
        success: 204,
        prepare: async () => ({
          path: `/integrations/aliases/${(await stack.factories.integrationAlias(p.project.id)).id}`,
        }),
      },
      {
        name: 'POST integration alias',
        method: 'post',
        success: 200,
        prepare: async () => ({ path: `/integrations/${(await integration()).id}/aliases` }),
      },
      {
        name: 'DELETE integration alias',
        method: 'delete',
        success: 204,
        prepare: async () => {
          const parent = await integration();
          const alias = await stack.factories.integrationAlias(p.project.id, { integrationId: parent.id });
          return { path: `/integrations/${parent.id}/aliases/${alias.id}` };
        },
      },
    ];

    /** Every integration-related row of the project, to prove that a refused write changed nothing. */
    async function snapshot(): Promise<string> {
      const integrations = await rows(IntegrationEntity).find({
        where: { projectId: p.project.id },
        order: { id: 'ASC' },
      });
      const ids = integrations.map((i) => i.id);
      const [matchers, values, aliases] = await Promise.all([
        rows(IntegrationMatcherEntity).find({ order: { id: 'ASC' } }),
        rows(IntegrationExtractValueEntity).find({ order: { id: 'ASC' } }),
        rows(IntegrationAliasEntity).find({ where: { projectId: p.project.id }, order: { id: 'ASC' } }),
      ]);
      return JSON.stringify({
        integrations,
        matchers: matchers.filter((m) => ids.includes(m.integrationId)),
        values: values.filter((v) => ids.includes(v.integrationId)),
        aliases,
      });
    }

    const ACTORS: [string, (a: ProjectActors) => ApiClient, 'ok' | number][] = [
      ['owner', (a) => a.owner, 'ok'],
      ['manager', (a) => a.manager, 'ok'],
      ['admin', (a) => a.admin, 'ok'],
      ['task_runner', (a) => a.task_runner, 403],
      ['guest', (a) => a.guest, 403],
      ['non-member', (a) => a.nonMember, 404],
      ['anonymous', (a) => a.owner.anonymous(), 401],
    ];

    it.each(ROUTES.map((r) => [r.name, r] as const))('role matrix: %s', async (_name, route) => {
      const send = (client: ApiClient, { path, body }: { path: string; body?: unknown }) =>
        route.method === 'delete' ? client.delete(`${P}${path}`) : client[route.method](`${P}${path}`, body ?? {});
      const requests = await Promise.all(ACTORS.map(() => route.prepare()));
      const run = (which: (expected: 'ok' | number) => boolean) =>
        Promise.all(
          ACTORS.map(async ([actor, client, expected], i) => {
            if (!which(expected)) return null;
            const res = await send(client(p), requests[i]);
            return { actor, status: res.status, want: expected === 'ok' ? route.success : expected };
          }),
        );
      // The refused calls together must leave every row as it was.
      const before = await snapshot();
      const refused = (await run((e) => e !== 'ok')).filter((r) => r !== null);
      expect(refused.map(({ actor, status }) => ({ actor, status }))).toEqual(
        refused.map(({ actor, want }) => ({ actor, status: want })),
      );
      expect(await snapshot()).toBe(before);
      const allowed = (await run((e) => e === 'ok')).filter((r) => r !== null);
      expect(allowed.map(({ actor, status }) => ({ actor, status }))).toEqual(
        allowed.map(({ actor, want }) => ({ actor, status: want })),
      );
      expect(allowed).toHaveLength(3);
      expect(await snapshot()).not.toBe(before);
    });
  });
});
