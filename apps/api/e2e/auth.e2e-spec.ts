import { startApiStack, TEST_PASSWORD, type ApiStack } from '@semaphore/testing';

describe('authentication', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('publishes the login metadata', async () => {
    const res = await stack.client().get('/api/auth/login');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ oidc_providers: [], login_with_password: true });
  });

  it('logs in by username or e-mail in any case: 204, an HttpOnly credential and a JS-visible semaphore cookie', async () => {
    const user = await stack.user({ username: 'Alice', email: 'Alice@Example.com' });
    for (const auth of ['alice', 'ALICE', 'alice@example.com']) {
      const client = stack.client();
      const res = await client.post('/api/auth/login', { auth, password: TEST_PASSWORD });
      expect(res.status).toBe(204);
      const cookies = res.headers.getSetCookie();
      const session = cookies.find((c) => c.startsWith('semaphore_session='));
      const ui = cookies.find((c) => c.startsWith('semaphore='));
      expect(session).toMatch(/HttpOnly/i);
      expect(session).toMatch(/SameSite=Lax/i);
      expect(ui).toBeDefined();
      expect(ui).not.toMatch(/HttpOnly/i);
      expect(ui).toMatch(/^semaphore=1;/);
      const tokens = await client.get<unknown[]>('/api/user/tokens');
      expect(tokens.status).toBe(200);
    }
    expect(user.id).toBeGreaterThan(0);
  });

  it('refuses wrong credentials with 401 and no cookie', async () => {
    await stack.user({ username: 'bob' });
    for (const body of [
      { auth: 'bob', password: 'wrong password' },
      { auth: 'nobody', password: TEST_PASSWORD },
    ]) {
      const res = await stack.client().post('/api/auth/login', body);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: expect.any(String) });
      expect(res.headers.getSetCookie()).toEqual([]);
    }
  });

  it('validates the login body naming the field', async () => {
    const res = await stack.client().post('/api/auth/login', { auth: 5, password: 'x' });
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toMatch(/^auth /);
    const malformed = await stack.client().post('/api/auth/login', '{"auth": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ error: 'request body is not valid JSON' });
  });

  it('rejects every protected route without credentials (401) and with a forged cookie', async () => {
    expect((await stack.client().get('/api/user/tokens')).status).toBe(401);
    const forged = await stack
      .client()
      .get('/api/user/tokens', { headers: { cookie: 'semaphore_session=abc.def.ghi' } });
    expect(forged.status).toBe(401);
    const badBearer = await stack.client().get('/api/user/tokens', { headers: { authorization: 'Bearer nope' } });
    expect(badBearer.status).toBe(401);
  });

  it('creates API tokens (201, shown once) usable with a bearer scheme in any case, and expires them', async () => {
    const { user, client } = await stack.loggedIn();
    const created = await client.post<{ id: string; created: string; expired: boolean; user_id: number }>(
      '/api/user/tokens',
    );
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(['id', 'created', 'expired', 'user_id']);
    expect(created.body).toMatchObject({ expired: false, user_id: user.id });
    expect(created.body.id).toMatch(/^[a-z0-9_=-]{44}$/);
    const token = created.body.id;

    for (const scheme of ['bearer', 'Bearer', 'BEARER']) {
      const res = await stack.client().get('/api/user/tokens', { headers: { authorization: `${scheme} ${token}` } });
      expect(res.status).toBe(200);
    }
    const listed = await client.get<Array<{ id: string }>>('/api/user/tokens');
    expect(listed.body).toHaveLength(1);
    // The stored id is a hash: the token itself is never listed again.
    expect(listed.body[0].id).not.toBe(token);
    expect(listed.body[0].id).toMatch(/^[0-9a-f]{64}$/);

    expect((await client.delete(`/api/user/tokens/${token}`)).status).toBe(204);
    expect((await stack.client().withToken(token).get('/api/user/tokens')).status).toBe(401);
    expect((await client.get<Array<{ expired: boolean }>>('/api/user/tokens')).body[0].expired).toBe(true);
  });

  it('ends the server-side session on logout: the old credential stops working', async () => {
    const { client } = await stack.loggedIn();
    const credential = client.cookie('semaphore_session');
    expect(credential).toBeDefined();
    const res = await client.post('/api/auth/logout');
    expect(res.status).toBe(204);
    const replay = await stack
      .client()
      .get('/api/user/tokens', { headers: { cookie: `semaphore_session=${credential}` } });
    expect(replay.status).toBe(401);
  });

  it('ignores trailing slashes', async () => {
    const { client } = await stack.loggedIn();
    expect((await client.get('/api/user/tokens/')).status).toBe(200);
    expect((await stack.client().get('/api/ping/')).text).toBe('pong');
  });

  it('refuses cookie-authenticated writes from a foreign Origin, with no side effect', async () => {
    const { client } = await stack.loggedIn();
    const before = await client.get<unknown[]>('/api/user/tokens');
    const res = await client.post('/api/user/tokens', {}, { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect((await client.get<unknown[]>('/api/user/tokens')).body).toHaveLength(before.body.length);
    const same = await client.post('/api/user/tokens', {}, { headers: { origin: stack.baseUrl } });
    expect(same.status).toBe(201);
  });

  it('rate-limits failed logins per account', async () => {
    const user = await stack.user();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await stack.client().post('/api/auth/login', { auth: user.username, password: 'wrong' })).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    // Even the right password is refused while the account is locked out.
    const right = await stack.client().post('/api/auth/login', { auth: user.username, password: TEST_PASSWORD });
    expect(right.status).toBe(429);
  });
});
