import {
  TASK_EVENTS_FIELD,
  TASK_EVENTS_STREAM,
  isTaskStatus,
  redisKey,
  type TaskEvent,
  type TaskEventBatch,
} from '@semaphore/models';

/** The task event stream's key. */
export function taskEventsStreamKey(prefix: string): string {
  return redisKey(prefix, TASK_EVENTS_STREAM);
}

/** One stream entry as ioredis returns it: `[id, [field, value, ...]]`; fields are null for a deleted entry. */
export type RawStreamEntry = [id: string, fields: string[] | null];

/** A stream entry after parsing: `batch` is null when the entry was deleted or is not a valid batch. */
export interface StreamEntry {
  id: string;
  batch: TaskEventBatch | null;
  /** Why `batch` is null (for the log). */
  invalid?: string;
}

/** Longest stored values: the columns' sizes (task.commit_hash varchar(64), task.error_code varchar(64)). */
const MAX_HASH = 64;
const MAX_ERROR_CODE = 64;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isSeq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0 && (v as number) < 2 ** 31;
const optionalCount = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v));

/**
 * PostgreSQL text cannot hold NUL, and a batch that can never be stored would block the stream: NUL characters are
 * removed (a runner relaying binary output loses nothing readable).
 */
export function storableText(text: string): string {
  return text.includes('\u0000') ? text.split('\u0000').join('') : text;
}

/** A runner-supplied time as a Date, or null when it is not a valid time. */
export function parseEventTime(time: string): Date | null {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Validates one event; returns a cleaned copy or null. Unknown event types are refused. */
function parseEvent(raw: unknown): TaskEvent | null {
  if (!isObject(raw)) return null;
  switch (raw.type) {
    case 'log':
      if (!isSeq(raw.seq) || typeof raw.time !== 'string' || typeof raw.output !== 'string') return null;
      return { type: 'log', seq: raw.seq, time: raw.time, output: storableText(raw.output) };
    case 'status':
      if (!isTaskStatus(raw.status) || typeof raw.time !== 'string') return null;
      if (raw.errorCode !== undefined && typeof raw.errorCode !== 'string') return null;
      return {
        type: 'status',
        status: raw.status,
        time: raw.time,
        ...(raw.errorCode ? { errorCode: storableText(raw.errorCode).slice(0, MAX_ERROR_CODE) } : {}),
      };
    case 'commit':
      if (typeof raw.hash !== 'string' || typeof raw.message !== 'string') return null;
      return { type: 'commit', hash: storableText(raw.hash).slice(0, MAX_HASH), message: storableText(raw.message) };
    case 'update':
      if (!isTaskStatus(raw.status)) return null;
      return {
        type: 'update',
        status: raw.status,
        start: typeof raw.start === 'string' ? raw.start : null,
        end: typeof raw.end === 'string' ? raw.end : null,
        version: typeof raw.version === 'string' ? raw.version : null,
      };
    case 'progress': {
      const counts = [raw.bytesDone, raw.bytesTotal, raw.filesDone, raw.filesTotal, raw.rate, raw.eta];
      if (typeof raw.time !== 'string' || !counts.every(optionalCount)) return null;
      if (raw.paused !== undefined && typeof raw.paused !== 'boolean') return null;
      const { bytesDone, bytesTotal, filesDone, filesTotal, rate, eta } = raw as Record<string, number | undefined>;
      return {
        type: 'progress',
        time: raw.time,
        bytesDone,
        bytesTotal,
        filesDone,
        filesTotal,
        rate,
        eta,
        paused: raw.paused === true,
      };
    }
    default:
      return null;
  }
}

/** Parses and validates the JSON of a batch (a message from Redis is input like any other). */
export function parseBatch(json: string): TaskEventBatch | string {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return 'not JSON';
  }
  if (!isObject(raw)) return 'not an object';
  if (raw.source !== 'runner' && raw.source !== 'api') return 'bad source';
  if (!isId(raw.taskId) || !isId(raw.projectId) || !isId(raw.templateId)) return 'bad ids';
  if (!isId(raw.runnerId) || !isId(raw.gen)) return 'bad runnerId/gen';
  if (!Array.isArray(raw.events)) return 'events is not an array';
  const events: TaskEvent[] = [];
  for (const e of raw.events) {
    const event = parseEvent(e);
    if (!event) return `bad event ${JSON.stringify(e).slice(0, 200)}`;
    events.push(event);
  }
  return {
    source: raw.source,
    taskId: raw.taskId,
    projectId: raw.projectId,
    templateId: raw.templateId,
    runnerId: raw.runnerId,
    gen: raw.gen,
    events,
  };
}

/** Parses the entries of an XREAD/XREADGROUP/XAUTOCLAIM reply. */
export function parseEntries(raw: RawStreamEntry[]): StreamEntry[] {
  return raw.map(([id, fields]) => {
    if (!fields) return { id, batch: null, invalid: 'deleted entry' };
    const index = fields.indexOf(TASK_EVENTS_FIELD);
    if (index < 0 || index % 2 !== 0 || index + 1 >= fields.length) {
      return { id, batch: null, invalid: `no field ${TASK_EVENTS_FIELD}` };
    }
    const parsed = parseBatch(fields[index + 1]);
    return typeof parsed === 'string' ? { id, batch: null, invalid: parsed } : { id, batch: parsed };
  });
}

/** Compares two stream ids (`ms-seq`). */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq = '0'] = a.split('-');
  const [bMs, bSeq = '0'] = b.split('-');
  const ms = BigInt(aMs) - BigInt(bMs);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(aSeq) - BigInt(bSeq);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}
