import Redis, { type RedisOptions } from 'ioredis';

export interface RedisClientOptions {
  url: string;
  /** Shown in CLIENT LIST, e.g. `api:<nodeId>`. */
  connectionName: string;
  /** Every command fails after this many milliseconds instead of hanging. */
  commandTimeoutMs: number;
  /** Blocking clients (BullMQ workers, XREAD BLOCK) must not have a command timeout and retry forever. */
  blocking?: boolean;
}

/**
 * An ioredis client that never hangs: commands time out, commands issued while disconnected fail at once
 * (no unbounded offline queue), and the connection is retried with a capped backoff.
 */
export function createRedisClient(options: RedisClientOptions): Redis {
  const base: RedisOptions = {
    connectionName: options.connectionName,
    lazyConnect: false,
    connectTimeout: Math.max(options.commandTimeoutMs, 1_000),
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 3_000),
    enableAutoPipelining: false,
  };
  const specific: RedisOptions = options.blocking
    ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: options.commandTimeoutMs };
  return new Redis(options.url, { ...base, ...specific });
}

/** Resolves once the client is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}

/** Closes the client without waiting for a server that may be gone. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, 1_000))]);
  } catch {
    // The server is unreachable: fall through to disconnect.
  }
  client.disconnect();
}
