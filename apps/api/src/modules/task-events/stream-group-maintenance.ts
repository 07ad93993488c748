import type Redis from 'ioredis';
import { compareStreamIds, type RawStreamEntry } from './task-event-batch';

/** Flat `[k1, v1, k2, v2, ...]` replies of XINFO as an object. */
function fieldsOf(flat: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

export interface StreamGroupRef {
  redis: Redis;
  key: string;
  group: string;
  consumer: string;
}

/** Creates the consumer group (from the start of the stream, creating the stream if needed); idempotent. */
export async function ensureGroup(ref: StreamGroupRef): Promise<void> {
  try {
    await ref.redis.xgroup('CREATE', ref.key, ref.group, '0', 'MKSTREAM');
  } catch (err) {
    if (!String(err).includes('BUSYGROUP')) throw err;
  }
}

/**
 * One XAUTOCLAIM round: entries pending for longer than `minIdleMs` (their consumer died or hangs) move to this
 * consumer. Entries that were deleted from the stream meanwhile are acknowledged (nothing is left to persist).
 */
export async function autoClaim(
  ref: StreamGroupRef,
  minIdleMs: number,
  start: string,
  count: number,
): Promise<{ next: string; entries: RawStreamEntry[] }> {
  const reply = (await ref.redis.xautoclaim(ref.key, ref.group, ref.consumer, minIdleMs, start, 'COUNT', count)) as [
    string,
    RawStreamEntry[],
    string[]?,
  ];
  const [next, entries, deleted = []] = reply;
  if (deleted.length > 0) await ref.redis.xack(ref.key, ref.group, ...deleted);
  return { next, entries: entries.filter((e) => Array.isArray(e)) };
}

/**
 * Trims the stream behind the consumer group: everything older than both the oldest pending entry and the group's
 * last delivered entry is persisted and acknowledged. `keepMs` of history is kept anyway, so that a live reader
 * running behind never loses entries. The last delivered id is read BEFORE the pending summary, so an entry delivered
 * in between (newer than that id) is never trimmed.
 */
export async function trimBehindGroup(ref: StreamGroupRef, keepMs: number, now = Date.now()): Promise<string | null> {
  const groups = (await ref.redis.xinfo('GROUPS', ref.key)) as unknown[];
  const group = groups.map(fieldsOf).find((g) => g.name === ref.group);
  if (!group || typeof group['last-delivered-id'] !== 'string') return null;
  let minId = group['last-delivered-id'];
  const [count, oldestPending] = (await ref.redis.xpending(ref.key, ref.group)) as [number, string | null];
  if (count > 0 && oldestPending && compareStreamIds(oldestPending, minId) < 0) minId = oldestPending;
  const keepFrom = `${Math.max(0, now - keepMs)}-0`;
  if (compareStreamIds(keepFrom, minId) < 0) minId = keepFrom;
  if (minId === '0-0') return null;
  await ref.redis.xtrim(ref.key, 'MINID', '~', minId);
  return minId;
}

/** Removes consumers (other api replicas that are gone) with nothing pending that were idle for `idleMs`. */
export async function removeIdleConsumers(ref: StreamGroupRef, idleMs: number): Promise<string[]> {
  const consumers = ((await ref.redis.xinfo('CONSUMERS', ref.key, ref.group)) as unknown[]).map(fieldsOf);
  const removed: string[] = [];
  for (const c of consumers) {
    const name = String(c.name);
    if (name === ref.consumer || Number(c.pending) > 0 || Number(c.idle) < idleMs) continue;
    await ref.redis.xgroup('DELCONSUMER', ref.key, ref.group, name);
    removed.push(name);
  }
  return removed;
}

/** How far a consumer group has got: its last delivered id and its oldest pending (unacknowledged) entry. */
export interface GroupProgress {
  lastDelivered: string | null;
  oldestPending: string | null;
}

export async function groupProgress(ref: Omit<StreamGroupRef, 'consumer'>): Promise<GroupProgress> {
  const groups = (await ref.redis.xinfo('GROUPS', ref.key)) as unknown[];
  const group = groups.map(fieldsOf).find((g) => g.name === ref.group);
  if (!group || typeof group['last-delivered-id'] !== 'string') return { lastDelivered: null, oldestPending: null };
  const [count, oldestPending] = (await ref.redis.xpending(ref.key, ref.group)) as [number, string | null];
  return { lastDelivered: group['last-delivered-id'], oldestPending: count > 0 ? oldestPending : null };
}

/** Whether every entry up to `id` has been delivered to the group AND acknowledged (persisted). */
export function caughtUpTo(progress: GroupProgress, id: string): boolean {
  if (progress.lastDelivered === null || compareStreamIds(progress.lastDelivered, id) < 0) return false;
  return progress.oldestPending === null || compareStreamIds(progress.oldestPending, id) > 0;
}

/**
 * Whether every entry up to `id` has been delivered to the group AND acknowledged (persisted): the group's last
 * delivered id is at least `id` and no entry at or before `id` is still pending.
 */
export async function groupCaughtUp(ref: Omit<StreamGroupRef, 'consumer'>, id: string): Promise<boolean> {
  return caughtUpTo(await groupProgress(ref), id);
}

/** The id of the newest entry of the stream ('0-0' when it is empty or missing). */
export async function newestEntryId(redis: Redis, key: string): Promise<string> {
  const newest = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as RawStreamEntry[];
  return newest[0]?.[0] ?? '0-0';
}
