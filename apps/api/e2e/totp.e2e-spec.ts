import { authenticator } from 'otplib';
import { UserEntity } from '@semaphore/persistence';
import { startApiStack, TEST_PASSWORD, type ApiClient, type ApiResponse, type ApiStack } from '@semaphore/testing';

interface Enrollment {
  id: number;
  url: string;
  secret: string;
  recovery_codes: string[];
}

function errorOf(res: ApiResponse): string {
  return (res.body as { error: string }).error;
}

/** A passcode that is valid now and surely not this one (another 6-digit number). */
function wrongPasscode(secret: string): string {
  const right = authenticator.generate(secret);
  return String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
}

describe('TOTP second factor', () => {
  let stack: ApiStack;
  let admin: ApiClient;

  beforeAll(async () => {
    stack = await startApiStack();
    ({ client: admin } = await stack.withToken({ admin: true }));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const storedUser = (id: number) => stack.db.dataSource.getRepository(UserEntity).findOneByOrFail({ id });

  /** A new cookie login of `user`: the password step only. */
  const passwordLogin = (user: UserEntity) => stack.client().login(user.username, TEST_PASSWORD);

  // Enrollment hashes ten recovery codes with bcrypt (slow on purpose): these tests share one enrolled user, in order.
  describe('one enrolled user', () => {
    let user: UserEntity;
    let client: ApiClient;
    let enrolled: ApiResponse<Enrollment>;
    let before: ApiResponse;

    beforeAll(async () => {
      ({ user, client } = await stack.loggedIn());
      before = await client.get('/api/user');
      enrolled = await client.post<Enrollment>(`/api/users/${user.id}/2fas/totp`);
    });

    it('enrolls: 200 {id, url, secret, recovery_codes}, stored encrypted; GET /api/user says totp_enabled', async () => {
      expect(before.body).toMatchObject({ totp_enabled: false });
      expect(enrolled.status).toBe(200);
      const body = enrolled.body;
      expect(Object.keys(body)).toEqual(['id', 'url', 'secret', 'recovery_codes']);
      expect(body.id).toBe(user.id);
      expect(body.secret).toMatch(/^[A-Z2-7]{16,}$/);
      expect(body.url).toMatch(/^otpauth:\/\/totp\//);
      expect(new URL(body.url).searchParams.get('secret')).toBe(body.secret);
      expect(body.recovery_codes).toHaveLength(10);
      expect(new Set(body.recovery_codes).size).toBe(10);

      const stored = await storedUser(user.id);
      expect(stored.totpSecret).toBeTruthy();
      expect(stored.totpSecret).not.toContain(body.secret);
      expect(JSON.stringify(stored.totpRecoveryHashes)).not.toContain(body.recovery_codes[0]);

      const me = await client.get('/api/user');
      expect(me.body).toMatchObject({ id: user.id, totp_enabled: true });
      // The secret, its ciphertext and the recovery codes never appear again outside the QR route.
      for (const read of [me, await admin.get('/api/users'), await admin.get(`/api/users/${user.id}`)]) {
        expect(read.status).toBe(200);
        expect(read.text).not.toContain(body.secret);
        expect(read.text).not.toContain(stored.totpSecret as string);
        expect(read.text).not.toContain(body.recovery_codes[0]);
        expect(read.text).not.toMatch(/otpauth/);
      }
    });

    it('refuses a second enrollment (409) without replacing the secret', async () => {
      const secretBefore = (await storedUser(user.id)).totpSecret;
      const res = await client.post(`/api/users/${user.id}/2fas/totp`);
      expect(res.status).toBe(409);
      expect(errorOf(res)).toMatch(/already enabled/);
      expect((await storedUser(user.id)).totpSecret).toBe(secretBefore);
    });

    it('serves the otpauth URL as text/plain to the user only; JSON 404 otherwise', async () => {
      const res = await client.get(`/api/users/${user.id}/2fas/totp/${user.id}/qr`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.text).toBe(enrolled.body.url);
      expect((await admin.get(`/api/users/${user.id}/2fas/totp/${user.id}/qr`)).status).toBe(403);
      const { client: other } = await stack.withToken();
      expect((await other.get(`/api/users/${user.id}/2fas/totp/${user.id}/qr`)).status).toBe(403);
      expect((await client.get(`/api/users/${user.id}/2fas/totp/${user.id + 1000}/qr`)).status).toBe(404);
      const { user: plain, client: plainClient } = await stack.withToken();
      const none = await plainClient.get(`/api/users/${plain.id}/2fas/totp/${plain.id}/qr`);
      expect(none.status).toBe(404);
      expect(none.body).toEqual({ error: 'TOTP not found' });
    });

    it('gives a password-only session nothing until POST /api/auth/verify with a right passcode', async () => {
      const { secret } = enrolled.body;
      const session = await passwordLogin(user);
      expect((await session.get('/api/user')).status).toBe(401);
      expect((await session.post('/api/user/tokens')).status).toBe(401);
      expect((await session.get(`/api/users/${user.id}`)).status).toBe(401);

      const wrong = await session.post('/api/auth/verify', { passcode: wrongPasscode(secret) });
      expect(wrong.status).toBe(401);
      expect((await session.get('/api/user')).status).toBe(401);

      const right = await session.post('/api/auth/verify', { passcode: authenticator.generate(secret) });
      expect(right.status).toBe(204);
      const me = await session.get('/api/user');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: user.id, totp_enabled: true });
    });

    it('accepts each recovery code once', async () => {
      const [code, another] = enrolled.body.recovery_codes;
      const first = await passwordLogin(user);
      expect((await first.post('/api/auth/recovery', { recovery_code: code })).status).toBe(204);
      expect((await first.get('/api/user')).status).toBe(200);

      const second = await passwordLogin(user);
      expect((await second.post('/api/auth/recovery', { recovery_code: code })).status).toBe(401);
      expect((await second.get('/api/user')).status).toBe(401);
      // Another, unused code still works.
      expect((await second.post('/api/auth/recovery', { recovery_code: another })).status).toBe(204);
      expect((await second.get('/api/user')).status).toBe(200);
    });
    it('(last) turns off one own TOTP only with a current passcode; afterwards login needs no second factor', async () => {
      const { secret } = enrolled.body;
      const path = `/api/users/${user.id}/2fas/totp/${user.id}`;
      const missing = await client.delete(path);
      expect(missing.status).toBe(400);
      expect(errorOf(missing)).toMatch(/^passcode /);
      const wrong = await client.delete(path, { body: { passcode: wrongPasscode(secret) } });
      expect(wrong.status).toBe(400);
      expect(errorOf(wrong)).toMatch(/^passcode /);
      expect((await storedUser(user.id)).totpSecret).not.toBeNull();

      const ok = await client.delete(path, { body: { passcode: authenticator.generate(secret) } });
      expect(ok.status).toBe(204);
      expect(ok.text).toBe('');
      expect(await storedUser(user.id)).toMatchObject({ totpSecret: null, totpRecoveryHashes: [] });
      expect((await client.get('/api/user')).body).toMatchObject({ totp_enabled: false });
      const session = await passwordLogin(user);
      expect((await session.get('/api/user')).status).toBe(200);
      expect((await client.delete(path, { body: { passcode: '123456' } })).status).toBe(404);
    });
  });

  it('lets only the user themself enroll (403 for admins and others; 401 anonymous)', async () => {
    const victim = await stack.user();
    const { client: other } = await stack.withToken();
    for (const client of [admin, other]) {
      expect((await client.post(`/api/users/${victim.id}/2fas/totp`)).status).toBe(403);
    }
    expect((await stack.client().post(`/api/users/${victim.id}/2fas/totp`)).status).toBe(401);
    expect((await storedUser(victim.id)).totpSecret).toBeNull();
  });

  it('lets an admin turn off another user TOTP without a passcode; other users get 403', async () => {
    // The admin needs no passcode, so the (never decrypted) secret can be a placeholder.
    const user = await stack.user({ totpSecret: 'placeholder-ciphertext', totpRecoveryHashes: [] });
    expect((await (await passwordLogin(user)).get('/api/user')).status).toBe(401);
    const path = `/api/users/${user.id}/2fas/totp/${user.id}`;
    const { client: other } = await stack.withToken();
    expect((await other.delete(path, { body: { passcode: '123456' } })).status).toBe(403);
    expect((await stack.client().delete(path, { body: { passcode: '123456' } })).status).toBe(401);
    expect((await storedUser(user.id)).totpSecret).not.toBeNull();
    expect((await admin.delete(`/api/users/${user.id}/2fas/totp/${user.id + 1000}`)).status).toBe(404);

    expect((await admin.delete(path)).status).toBe(204);
    expect((await storedUser(user.id)).totpSecret).toBeNull();
    expect((await (await passwordLogin(user)).get('/api/user')).status).toBe(200);
  });
});
