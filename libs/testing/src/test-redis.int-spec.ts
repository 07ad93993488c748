import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createTestRedis, startRedisServer, uniqueRedisPrefix, type TestRedis } from './test-redis';

function tcpConnect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

describe('uniqueRedisPrefix', () => {
  it('gives a different prefix on every call, with a safe label', () => {
    const a = uniqueRedisPrefix('queue');
    expect(a).toMatch(/^semtest:queue:[0-9a-f]{12}$/);
    expect(uniqueRedisPrefix('queue')).not.toBe(a);
    expect(uniqueRedisPrefix('a b*[c]')).toMatch(/^semtest:a-b--c-:[0-9a-f]{12}$/);
  });
});

describe('createTestRedis', () => {
  let mine: TestRedis;
  let neighbour: TestRedis;

  beforeAll(async () => {
    mine = await createTestRedis(uniqueRedisPrefix('mine'));
    neighbour = await createTestRedis(uniqueRedisPrefix('neighbour'));
  });

  afterAll(async () => {
    await mine?.cleanup();
    await neighbour?.cleanup();
  });

  it('cleanup deletes every key under its prefix (more than one SCAN page) and nothing else', async () => {
    const { client, prefix } = mine;
    const pipeline = client.pipeline();
    for (let i = 0; i < 2500; i++) pipeline.set(`${prefix}:k${i}`, 'v');
    pipeline.hset(`${prefix}:hash`, 'f', 'v');
    pipeline.xadd(`${prefix}:stream`, '*', 'f', 'v');
    await pipeline.exec();
    // Keys that only resemble the prefix must survive: a longer random part and glob characters are not wildcards.
    await neighbour.client.set(`${neighbour.prefix}:keep`, 'v');
    await neighbour.client.set(`${prefix.slice(0, -1)}x:keep`, 'v');

    await mine.cleanup();

    const check = new Redis(mine.url);
    try {
      expect(await check.exists(`${prefix}:k0`, `${prefix}:k2499`, `${prefix}:hash`, `${prefix}:stream`)).toBe(0);
      expect(await check.get(`${neighbour.prefix}:keep`)).toBe('v');
      expect(await check.get(`${prefix.slice(0, -1)}x:keep`)).toBe('v');
      await check.unlink(`${prefix.slice(0, -1)}x:keep`);
    } finally {
      await check.quit();
    }
    expect(mine.client.status).toBe('end');
    await expect(mine.cleanup()).resolves.toBeUndefined();
  });

  it('treats glob characters in a custom prefix literally', async () => {
    const base = uniqueRedisPrefix('glob');
    const globby = await createTestRedis(`${base}:*`);
    await globby.client.set(`${base}:*:mine`, 'v');
    await globby.client.set(`${base}:other`, 'v');
    await globby.cleanup();
    const check = new Redis(globby.url);
    try {
      expect(await check.exists(`${base}:*:mine`)).toBe(0);
      expect(await check.get(`${base}:other`)).toBe('v');
      await check.unlink(`${base}:other`);
    } finally {
      await check.quit();
    }
  });
});

describe('startRedisServer', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'semtest-redis-spec-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps append-only data across a stop and a restart on the same directory', async () => {
    const first = await startRedisServer({ appendonly: true, dir });
    const writer = new Redis(first.url);
    await writer.set('survives', 'restart');
    await writer.quit();
    await first.stop();

    const second = await startRedisServer({ appendonly: true, dir });
    const reader = new Redis(second.url);
    try {
      expect(second.port).toBeGreaterThan(0);
      expect(await reader.get('survives')).toBe('restart');
    } finally {
      await reader.quit();
      await second.stop();
    }
  });

  it('stop() ends the server and removes its own directory', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url, { lazyConnect: true, retryStrategy: () => null });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    const closed = new Promise<void>((resolve) => client.once('end', () => resolve()));
    await server.stop();
    await closed;
    await expect(tcpConnect(server.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(stat(server.dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
