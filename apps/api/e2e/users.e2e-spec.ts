import { UserEntity } from '@semaphore/persistence';
import { startApiStack, TEST_PASSWORD, type ApiClient, type ApiResponse, type ApiStack } from '@semaphore/testing';

interface WireUser {
  id: number;
  created: string;
  username: string;
  name: string;
  email: string;
  admin: boolean;
  external: boolean;
  alert: boolean;
}

const USER_KEYS = ['id', 'created', 'username', 'name', 'email', 'admin', 'external', 'alert'];
const NEW_PASSWORD = 'a brand new passphrase';
const BCRYPT_RE = /\$2[aby]\$\d\d\$/;

/** Golden check of a `User`: keys in Appendix A order, value types, and no password anywhere. */
function expectWireUser(body: unknown, extraKeys: string[] = []): void {
  const user = body as Record<string, unknown>;
  expect(Object.keys(user)).toEqual([...USER_KEYS, ...extraKeys]);
  expect(user).toMatchObject({
    id: expect.any(Number),
    created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
    username: expect.any(String),
    name: expect.any(String),
    email: expect.any(String),
    admin: expect.any(Boolean),
    external: expect.any(Boolean),
    alert: expect.any(Boolean),
  });
}

function expectNoSecrets(res: ApiResponse): void {
  expect(res.text).not.toMatch(BCRYPT_RE);
  expect(res.text).not.toMatch(/"password"|totp_secret|totpSecret|recovery/i);
}

function errorOf(res: ApiResponse): string {
  return (res.body as { error: string }).error;
}

/** A fresh cookie login with `password`; the status of POST /api/auth/login. */
async function loginStatus(stack: ApiStack, username: string, password: string): Promise<number> {
  return (await stack.client().post('/api/auth/login', { auth: username, password })).status;
}

describe('users', () => {
  let stack: ApiStack;
  let admin: ApiClient;
  let adminUser: UserEntity;

  beforeAll(async () => {
    stack = await startApiStack();
    ({ client: admin, user: adminUser } = await stack.withToken({ admin: true, name: 'AAA Admin' }));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const storedUser = (id: number) => stack.db.dataSource.getRepository(UserEntity).findOneBy({ id });

  describe('GET /api/user', () => {
    it('returns the caller with can_create_project (admins) and totp_enabled last, keys in order', async () => {
      const res = await admin.get('/api/user');
      expect(res.status).toBe(200);
      expectWireUser(res.body, ['can_create_project', 'totp_enabled']);
      expect(res.body).toMatchObject({
        id: adminUser.id,
        username: adminUser.username,
        admin: true,
        can_create_project: true,
        totp_enabled: false,
      });
      expectNoSecrets(res);
    });

    it('says a non-admin cannot create projects by default; trailing slash and HEAD work; 401 anonymous', async () => {
      const { client, user } = await stack.loggedIn();
      const res = await client.get('/api/user/');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: user.id, admin: false, can_create_project: false });
      expect((await client.head('/api/user')).status).toBe(200);
      expect((await stack.client().get('/api/user')).status).toBe(401);
    });
  });

  describe('GET /api/users', () => {
    it('gives admins full users sorted by name, others only {id, username, name}', async () => {
      await stack.user({ name: 'zz last' });
      await stack.user({ name: 'AAA first', username: 'zz-first' });
      const { client } = await stack.withToken();
      const full = await admin.get<WireUser[]>('/api/users');
      expect(full.status).toBe(200);
      for (const u of full.body) expectWireUser(u);
      const names = full.body.map((u) => u.name);
      expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expectNoSecrets(full);

      const reduced = await client.get<Array<Record<string, unknown>>>('/api/users');
      expect(reduced.status).toBe(200);
      expect(reduced.body).toHaveLength(full.body.length);
      for (const u of reduced.body) expect(Object.keys(u)).toEqual(['id', 'username', 'name']);
      expect(reduced.text).not.toContain('@example.test');
      expectNoSecrets(reduced);
      expect((await stack.client().get('/api/users')).status).toBe(401);
    });

    it('sorts on whitelisted columns only, anything else falls back to name', async () => {
      const byUsername = await admin.get<WireUser[]>('/api/users?sort=username&order=desc');
      const usernames = byUsername.body.map((u) => u.username);
      expect(usernames).toEqual([...usernames].sort().reverse());
      const byName = await admin.get<WireUser[]>('/api/users');
      const bogus = await admin.get<WireUser[]>('/api/users?sort=password;drop%20table&order=sideways');
      expect(bogus.status).toBe(200);
      expect(bogus.body.map((u) => u.id)).toEqual(byName.body.map((u) => u.id));
    });
  });

  describe('POST /api/users', () => {
    it('creates a user (201, full object), ignoring server-owned fields; the new user can log in', async () => {
      const res = await admin.post<WireUser>('/api/users', {
        id: 9999,
        external: true,
        created: '2000-01-01T00:00:00Z',
        username: 'carol',
        name: 'Carol',
        email: 'carol@example.com',
        alert: true,
        password: NEW_PASSWORD,
      });
      expect(res.status).toBe(201);
      expectWireUser(res.body);
      expect(res.body).toMatchObject({
        username: 'carol',
        name: 'Carol',
        email: 'carol@example.com',
        admin: false,
        external: false,
        alert: true,
      });
      expect(res.body.id).not.toBe(9999);
      expect(res.body.created).not.toMatch(/^2000/);
      expectNoSecrets(res);
      expect(await loginStatus(stack, 'carol', NEW_PASSWORD)).toBe(204);
      const stored = await storedUser(res.body.id);
      expect(stored?.password).toMatch(BCRYPT_RE);
    });

    it('creates admins when asked', async () => {
      const res = await admin.post<WireUser>('/api/users', {
        username: 'dave',
        name: 'Dave',
        email: 'dave@example.com',
        admin: true,
        password: NEW_PASSWORD,
      });
      expect(res.status).toBe(201);
      expect(res.body.admin).toBe(true);
    });

    it('refuses non-admins (403) and anonymous callers (401) without creating anything', async () => {
      const { client } = await stack.withToken();
      const body = {
        username: 'mallory',
        name: 'M',
        email: 'mallory@example.com',
        admin: true,
        password: NEW_PASSWORD,
      };
      const res = await client.post('/api/users', body);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: expect.any(String) });
      expect((await stack.client().post('/api/users', body)).status).toBe(401);
      const list = await admin.get<WireUser[]>('/api/users');
      expect(list.body.map((u) => u.username)).not.toContain('mallory');
    });

    it.each([
      [{ name: 'N', email: 'n@x.io', password: NEW_PASSWORD }, /^username /],
      [{ username: 'n1', email: 'n@x.io', password: NEW_PASSWORD }, /^name /],
      [{ username: 'n1', name: 'N', password: NEW_PASSWORD }, /^email /],
      [{ username: 'n1', name: 'N', email: 'n@x.io' }, /^password /],
      [{ username: 'n1', name: 'N', email: 'not-an-email', password: NEW_PASSWORD }, /^email /],
      [{ username: 'n1', name: 'N', email: 'n@x.io', password: 'short' }, /^password must be at least 8/],
      [{ username: 'n1', name: 'N', email: 'n@x.io', password: 'é'.repeat(37) }, /^password must be at most 72 bytes/],
      [{ username: '-n1', name: 'N', email: 'n@x.io', password: NEW_PASSWORD }, /^username /],
      [{ username: 'n 1', name: 'N', email: 'n@x.io', password: NEW_PASSWORD }, /^username /],
      [{ username: 'n1', name: '   ', email: 'n@x.io', password: NEW_PASSWORD }, /^name /],
      [{ username: 'n1', name: 'N'.repeat(256), email: 'n@x.io', password: NEW_PASSWORD }, /^name /],
      [{ username: 'n1', name: 'N', email: 'n@x.io', password: NEW_PASSWORD, admin: 'yes' }, /^admin /],
      [{ username: 42, name: 'N', email: 'n@x.io', password: NEW_PASSWORD }, /^username /],
    ])('validates %j naming the field', async (body, message) => {
      const res = await admin.post('/api/users', body);
      expect(res.status).toBe(400);
      expect(errorOf(res)).toMatch(message);
      const list = await admin.get<WireUser[]>('/api/users');
      expect(list.body.map((u) => u.username)).not.toContain('n1');
    });

    it('refuses duplicate usernames and e-mails case-insensitively (409)', async () => {
      const first = await admin.post('/api/users', {
        username: 'Erin',
        name: 'Erin',
        email: 'Erin@Example.com',
        password: NEW_PASSWORD,
      });
      expect(first.status).toBe(201);
      for (const dup of [
        { username: 'ERIN', name: 'E2', email: 'other@example.com' },
        { username: 'erin2', name: 'E2', email: 'erin@EXAMPLE.com' },
      ]) {
        const res = await admin.post('/api/users', { ...dup, password: NEW_PASSWORD });
        expect(res.status).toBe(409);
        expect(errorOf(res)).toMatch(/already exists/);
      }
    });
  });

  describe('GET /api/users/{id}', () => {
    it('shows a user to themself and to admins; 403 to other users (existing or not); 404/400 for admins', async () => {
      const { client, user } = await stack.withToken();
      const other = await stack.user();
      const own = await client.get<WireUser>(`/api/users/${user.id}`);
      expect(own.status).toBe(200);
      expectWireUser(own.body);
      expect(own.body).toMatchObject({ id: user.id, username: user.username, email: user.email });
      expectNoSecrets(own);

      const asAdmin = await admin.get<WireUser>(`/api/users/${other.id}`);
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.body.id).toBe(other.id);

      expect((await client.get(`/api/users/${other.id}`)).status).toBe(403);
      expect((await client.get('/api/users/999999')).status).toBe(403);
      const unknown = await admin.get('/api/users/999999');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ error: 'User not found' });
      const bad = await admin.get('/api/users/abc');
      expect(bad.status).toBe(400);
      expect(errorOf(bad)).toMatch(/^user_id /);
      expect((await stack.client().get(`/api/users/${user.id}`)).status).toBe(401);
    });
  });

  describe('PUT /api/users/{id}', () => {
    it('lets users edit their own profile (204); omitted fields keep their values', async () => {
      const { client, user } = await stack.withToken({ alert: false });
      const res = await client.put(`/api/users/${user.id}`, {
        id: user.id,
        name: 'Renamed',
        email: `renamed${user.id}@example.com`,
        alert: true,
        admin: false,
      });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const after = await client.get<WireUser>(`/api/users/${user.id}`);
      expect(after.body).toMatchObject({
        name: 'Renamed',
        email: `renamed${user.id}@example.com`,
        alert: true,
        username: user.username,
        admin: false,
      });
    });

    it('refuses to let a user make themself admin (403), with no change at all', async () => {
      const { client, user } = await stack.withToken();
      const res = await client.put(`/api/users/${user.id}`, { name: 'Sneaky', admin: true });
      expect(res.status).toBe(403);
      const stored = await storedUser(user.id);
      expect(stored).toMatchObject({ admin: false, name: user.name });
    });

    it('refuses an admin changing their own admin flag (as upstream), allows promoting others', async () => {
      const { client, user } = await stack.withToken({ admin: true });
      expect((await client.put(`/api/users/${user.id}`, { admin: false })).status).toBe(403);
      expect((await storedUser(user.id))?.admin).toBe(true);
      const other = await stack.user();
      expect((await client.put(`/api/users/${other.id}`, { admin: true })).status).toBe(204);
      expect((await storedUser(other.id))?.admin).toBe(true);
      expect((await client.put(`/api/users/${other.id}`, { admin: false })).status).toBe(204);
      expect((await storedUser(other.id))?.admin).toBe(false);
    });

    it('refuses a non-admin editing another user (403) without changing them', async () => {
      const { client } = await stack.withToken();
      const other = await stack.user();
      const res = await client.put(`/api/users/${other.id}`, { name: 'Hijacked', email: 'evil@example.com' });
      expect(res.status).toBe(403);
      expect(await storedUser(other.id)).toMatchObject({ name: other.name, email: other.email });
      expect((await stack.client().put(`/api/users/${other.id}`, { name: 'x' })).status).toBe(401);
    });

    it('keeps the username of external users (400) but lets other fields change', async () => {
      const external = await stack.user({ external: true });
      const res = await admin.put(`/api/users/${external.id}`, { username: 'renamed-ext' });
      expect(res.status).toBe(400);
      expect(errorOf(res)).toMatch(/username/);
      expect((await admin.put(`/api/users/${external.id}`, { username: external.username, name: 'Ext' })).status).toBe(
        204,
      );
      expect(await storedUser(external.id)).toMatchObject({ username: external.username, name: 'Ext' });
    });

    it('refuses duplicates (409), an id differing from the URL (400), bad fields (400 naming them), unknown ids', async () => {
      const { user } = await stack.withToken();
      const other = await stack.user();
      const dupUser = await admin.put(`/api/users/${user.id}`, { username: other.username.toUpperCase() });
      expect(dupUser.status).toBe(409);
      const dupEmail = await admin.put(`/api/users/${user.id}`, { email: other.email.toUpperCase() });
      expect(dupEmail.status).toBe(409);
      const moved = await admin.put(`/api/users/${user.id}`, { id: other.id, name: 'x' });
      expect(moved.status).toBe(400);
      expect(errorOf(moved)).toMatch(/^id /);
      for (const [body, field] of [
        [{ email: 'nope' }, /^email /],
        [{ username: '--exec' }, /^username /],
        [{ alert: 'true' }, /^alert /],
        [{ name: '' }, /^name /],
      ] as const) {
        const res = await admin.put(`/api/users/${user.id}`, body);
        expect(res.status).toBe(400);
        expect(errorOf(res)).toMatch(field);
      }
      expect(await storedUser(user.id)).toMatchObject({ username: user.username, email: user.email, name: user.name });
      expect((await admin.put('/api/users/999999', { name: 'x' })).status).toBe(404);
    });

    it('changes the password through PUT only with the current one for oneself', async () => {
      const { client, user } = await stack.withToken();
      const without = await client.put(`/api/users/${user.id}`, { name: 'P', password: NEW_PASSWORD });
      expect(without.status).toBe(400);
      expect(errorOf(without)).toMatch(/^current_password /);
      expect((await storedUser(user.id))?.name).toBe(user.name);
      const wrong = await client.put(`/api/users/${user.id}`, {
        password: NEW_PASSWORD,
        current_password: 'not my password',
      });
      expect(wrong.status).toBe(400);
      expect(await loginStatus(stack, user.username, NEW_PASSWORD)).toBe(401);
      const ok = await client.put(`/api/users/${user.id}`, {
        name: 'P',
        password: NEW_PASSWORD,
        current_password: TEST_PASSWORD,
      });
      expect(ok.status).toBe(204);
      expect(await loginStatus(stack, user.username, NEW_PASSWORD)).toBe(204);
      // An empty password means "unchanged", as the upstream UI sends it.
      expect((await client.put(`/api/users/${user.id}`, { name: 'Q', password: '' })).status).toBe(204);
      expect(await loginStatus(stack, user.username, NEW_PASSWORD)).toBe(204);
    });
  });

  describe('POST /api/users/{id}/password', () => {
    it('needs the correct current password for oneself: a wrong or missing one changes nothing', async () => {
      const { client, user } = await stack.loggedIn();
      const missing = await client.post(`/api/users/${user.id}/password`, { password: NEW_PASSWORD });
      expect(missing.status).toBe(400);
      expect(errorOf(missing)).toMatch(/^current_password /);
      const wrong = await client.post(`/api/users/${user.id}/password`, {
        password: NEW_PASSWORD,
        current_password: 'guessing wrong',
      });
      expect(wrong.status).toBe(400);
      expect(errorOf(wrong)).toMatch(/^current_password /);
      expect(await loginStatus(stack, user.username, NEW_PASSWORD)).toBe(401);
      expect(await loginStatus(stack, user.username, TEST_PASSWORD)).toBe(204);
    });

    it('changes it with the current password (204); other sessions die, the one that changed it lives', async () => {
      const { client, user } = await stack.loggedIn();
      const otherSession = await stack.client().login(user.username, TEST_PASSWORD);
      expect((await otherSession.get('/api/user')).status).toBe(200);
      const res = await client.post(`/api/users/${user.id}/password`, {
        password: NEW_PASSWORD,
        current_password: TEST_PASSWORD,
      });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect((await otherSession.get('/api/user')).status).toBe(401);
      expect((await client.get('/api/user')).status).toBe(200);
      expect(await loginStatus(stack, user.username, TEST_PASSWORD)).toBe(401);
      expect(await loginStatus(stack, user.username, NEW_PASSWORD)).toBe(204);
    });

    it('lets an admin reset another user without the current password; all their sessions die', async () => {
      const { client: victimSession, user } = await stack.loggedIn();
      const res = await admin.post(`/api/users/${user.id}/password`, { password: NEW_PASSWORD });
      expect(res.status).toBe(204);
      expect((await victimSession.get('/api/user')).status).toBe(401);
      expect(await loginStatus(stack, user.username, NEW_PASSWORD)).toBe(204);
      expect((await admin.post('/api/users/999999/password', { password: NEW_PASSWORD })).status).toBe(404);
    });

    it('refuses a non-admin resetting someone else (403) with no change', async () => {
      const { client } = await stack.withToken();
      const other = await stack.user();
      const res = await client.post(`/api/users/${other.id}/password`, {
        password: NEW_PASSWORD,
        current_password: TEST_PASSWORD,
      });
      expect(res.status).toBe(403);
      expect(await loginStatus(stack, other.username, TEST_PASSWORD)).toBe(204);
      expect((await stack.client().post(`/api/users/${other.id}/password`, { password: NEW_PASSWORD })).status).toBe(
        401,
      );
    });

    it('refuses external users (400) and weak passwords (400 naming the field)', async () => {
      const external = await stack.user({ external: true });
      const ext = await admin.post(`/api/users/${external.id}/password`, { password: NEW_PASSWORD });
      expect(ext.status).toBe(400);
      expect(errorOf(ext)).toMatch(/external/);
      expect((await storedUser(external.id))?.password).toBe(external.password);
      const { user } = await stack.withToken();
      const weak = await admin.post(`/api/users/${user.id}/password`, { password: 'short' });
      expect(weak.status).toBe(400);
      expect(errorOf(weak)).toMatch(/^password must be at least 8/);
      const none = await admin.post(`/api/users/${user.id}/password`, {});
      expect(none.status).toBe(400);
      expect(errorOf(none)).toMatch(/^password /);
    });

    it('rate-limits wrong current passwords per user (429, even for the right one afterwards)', async () => {
      const { client, user } = await stack.withToken();
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const res = await client.post(`/api/users/${user.id}/password`, {
          password: NEW_PASSWORD,
          current_password: `wrong ${i}`,
        });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
      expect(statuses[10]).toBe(429);
      const right = await client.post(`/api/users/${user.id}/password`, {
        password: NEW_PASSWORD,
        current_password: TEST_PASSWORD,
      });
      expect(right.status).toBe(429);
      expect(await loginStatus(stack, user.username, TEST_PASSWORD)).toBe(204);
    });
  });

  describe('DELETE /api/users/{id}', () => {
    it('refuses a non-admin deleting another user (403); the user stays', async () => {
      const { client } = await stack.withToken();
      const other = await stack.user();
      expect((await client.delete(`/api/users/${other.id}`)).status).toBe(403);
      expect(await storedUser(other.id)).not.toBeNull();
      expect((await stack.client().delete(`/api/users/${other.id}`)).status).toBe(401);
      expect(await storedUser(other.id)).not.toBeNull();
    });

    it('lets a user delete themself (204): their credentials stop working', async () => {
      const { client, user } = await stack.withToken();
      const res = await client.delete(`/api/users/${user.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await storedUser(user.id)).toBeNull();
      expect((await client.get('/api/user')).status).toBe(401);
    });

    it('lets an admin delete anyone (204, then 404)', async () => {
      const other = await stack.user();
      expect((await admin.delete(`/api/users/${other.id}`)).status).toBe(204);
      expect((await admin.get(`/api/users/${other.id}`)).status).toBe(404);
      expect((await admin.delete(`/api/users/${other.id}`)).status).toBe(404);
    });
  });
});

describe('users, on a server where non-admins may create projects', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_NON_ADMIN_CAN_CREATE_PROJECT: 'true' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('reports can_create_project: true to non-admins', async () => {
    const { client } = await stack.withToken();
    const res = await client.get('/api/user');
    expect(res.body).toMatchObject({ admin: false, can_create_project: true });
  });

  it('never deletes the last administrator (400)', async () => {
    const { client: only, user: onlyAdmin } = await stack.withToken({ admin: true });
    const res = await only.delete(`/api/users/${onlyAdmin.id}`);
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatch(/last administrator/);
    expect((await only.get('/api/user')).status).toBe(200);
    const { client: second, user: secondAdmin } = await stack.withToken({ admin: true });
    expect((await second.delete(`/api/users/${onlyAdmin.id}`)).status).toBe(204);
    expect((await second.delete(`/api/users/${secondAdmin.id}`)).status).toBe(400);
  });
});
