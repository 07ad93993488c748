import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Redis from 'ioredis';

export { processCommandLines } from '@semaphore/testing';

/** The values of every key under the prefix, the event stream's entries included, as one string. */
export async function dumpRedis(redis: Redis, prefix: string): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'string') parts.push(String(await redis.get(key)));
      else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
      else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
  } while (cursor !== '0');
  return parts.join('\n');
}

export interface FileWithSecret {
  path: string;
  mode: number;
  secrets: string[];
}

/** Regular files under `dir` (recursively, symlinks not followed) that contain one of `secrets`, with their mode. */
export function filesContaining(dir: string, secrets: readonly string[]): FileWithSecret[] {
  const found: FileWithSecret[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return; // gone or unreadable meanwhile
    }
    for (const name of names) {
      const path = join(d, name);
      try {
        const st = lstatSync(path, { throwIfNoEntry: false });
        if (!st) continue;
        if (st.isDirectory()) walk(path);
        else if (st.isFile()) {
          const text = readFileSync(path, 'latin1');
          const hits = secrets.filter((s) => text.includes(s));
          if (hits.length) found.push({ path, mode: st.mode & 0o777, secrets: hits });
        }
      } catch {
        // removed between readdir and read
      }
    }
  };
  walk(dir);
  return found;
}
