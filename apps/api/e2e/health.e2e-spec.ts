import {
  createTestDatabase,
  startApiProcess,
  startRedisServer,
  uniqueRedisPrefix,
  type ApiProcess,
  type RedisServer,
  type TestDatabase,
} from '@semaphore/testing';

describe('api process: ping, health, shutdown', () => {
  let db: TestDatabase;
  let redis: RedisServer;
  let api: ApiProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startRedisServer();
    api = await startApiProcess({ db: db.connection, redisUrl: redis.url, redisPrefix: uniqueRedisPrefix('health') });
  });

  afterAll(async () => {
    await api?.process.stop();
    await redis?.stop();
    await db?.drop();
  });

  it('answers GET and HEAD /api/ping with text/plain pong', async () => {
    const res = await fetch(`${api.baseUrl}/api/ping`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('pong');
    const head = await fetch(`${api.baseUrl}/api/ping`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('answers unknown api routes with a JSON 404', async () => {
    const res = await fetch(`${api.baseUrl}/api/no-such-route`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });

  it('reports healthy while PostgreSQL and Redis answer, then 503 naming Redis once it is stopped', async () => {
    const ok = await fetch(`${api.baseUrl}/api/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, redis: { status: 'up' } },
    });

    await redis.stop();

    const down = await fetch(`${api.baseUrl}/api/health`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as {
      status: string;
      error: Record<string, unknown>;
      info: Record<string, unknown>;
    };
    expect(body.status).toBe('error');
    expect(body.error).toHaveProperty('redis.status', 'down');
    expect(body.error).not.toHaveProperty('database');
    expect(body.info).toHaveProperty('database.status', 'up');
    // Liveness does not depend on Redis.
    expect((await fetch(`${api.baseUrl}/api/ping`)).status).toBe(200);
  });

  it('stops cleanly on SIGTERM with exit code 0', async () => {
    const exit = await api.process.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(api.process.jsonLines().some((l) => l.msg === 'api stopped')).toBe(true);
  });
});
