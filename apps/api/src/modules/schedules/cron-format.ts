import { CronExpressionParser } from 'cron-parser';

/**
 * Schedule `cron_format`, as upstream's robfig/cron v3 `ParseStandard` understands it (reference §6.2): a 5-field
 * crontab (`min hour dom month dow`, with `*`, `?`, lists, ranges, steps and jan..dec / sun..sat names), the
 * descriptors `@yearly @annually @monthly @weekly @daily @midnight @hourly` and `@every <duration>`, and an optional
 * `CRON_TZ=<zone>` / `TZ=<zone>` prefix. A 6-field expression (seconds) is refused, so is `@every` under a minute.
 *
 * Fields are checked here with robfig's rules and bounds (dow 0-6) and rewritten as explicit value lists, so that
 * cron-parser (used for the next run time) applies exactly robfig's semantics; a field that is `*`/`?` stays `*`
 * (which keeps cron's "day of month OR day of week" rule identical too).
 */
export type CronSchedule =
  | {
      kind: 'cron';
      /** 5 normalized fields (explicit lists or `*`). */
      expression: string;
      /** IANA zone of a `CRON_TZ=`/`TZ=` prefix; null = the server's zone. */
      timeZone: string | null;
    }
  | { kind: 'every'; intervalMs: number };

export class CronFormatError extends Error {}

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIELDS: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 6, names: DAYS },
];

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MIN_EVERY_MS = 60_000;
const MAX_SPEC_LENGTH = 255;

/** Parses a `cron_format`; throws CronFormatError with a message for `{"error": "Cron: <message>"}`. */
export function parseCronFormat(spec: string): CronSchedule {
  let rest = spec.trim();
  if (rest === '') throw new CronFormatError('empty spec string');
  if (rest.length > MAX_SPEC_LENGTH) throw new CronFormatError(`longer than ${MAX_SPEC_LENGTH} characters`);
  let timeZone: string | null = null;
  const prefix = /^(?:CRON_TZ|TZ)=(\S*)(?:\s+([\s\S]*))?$/.exec(rest);
  if (prefix) {
    timeZone = checkTimeZone(prefix[1]);
    rest = (prefix[2] ?? '').trim();
    if (rest === '') throw new CronFormatError('missing expression after the time zone');
  }
  if (rest.startsWith('@every ') || rest === '@every') return { kind: 'every', intervalMs: everyInterval(rest) };
  if (rest.startsWith('@')) {
    const expression = DESCRIPTORS[rest];
    if (!expression) throw new CronFormatError(`unrecognized descriptor: ${rest}`);
    return { kind: 'cron', expression, timeZone };
  }
  const fields = rest.split(/\s+/);
  if (fields.length !== 5) {
    const seconds = fields.length === 6 ? ' (a seconds field is not supported)' : '';
    throw new CronFormatError(`expected exactly 5 fields, found ${fields.length}${seconds}: ${rest}`);
  }
  const expression = fields.map((field, i) => normalizeField(field, FIELDS[i])).join(' ');
  try {
    CronExpressionParser.parse(`0 ${expression}`, { tz: 'UTC', strict: false });
  } catch (err) {
    throw new CronFormatError(err instanceof Error ? err.message : String(err));
  }
  return { kind: 'cron', expression, timeZone };
}

/** The error message (without the `Cron: ` prefix) or null when the format is valid. */
export function cronFormatProblem(spec: string): string | null {
  try {
    parseCronFormat(spec);
    return null;
  } catch (err) {
    if (err instanceof CronFormatError) return err.message;
    throw err;
  }
}

/** The first run strictly after `after`. Zone-less schedules use `defaultTimeZone` (default: the server's zone). */
export function nextCronRun(schedule: CronSchedule, after: Date, defaultTimeZone = serverTimeZone()): Date {
  if (schedule.kind === 'every') return new Date(after.getTime() + schedule.intervalMs);
  const parsed = CronExpressionParser.parse(`0 ${schedule.expression}`, {
    currentDate: after,
    tz: schedule.timeZone ?? defaultTimeZone,
  });
  return parsed.next().toDate();
}

/** The last run strictly before `before` (cron schedules; `@every` has no fixed times). */
export function previousCronRun(
  schedule: Extract<CronSchedule, { kind: 'cron' }>,
  before: Date,
  defaultTimeZone = serverTimeZone(),
): Date {
  const parsed = CronExpressionParser.parse(`0 ${schedule.expression}`, {
    currentDate: before,
    tz: schedule.timeZone ?? defaultTimeZone,
  });
  return parsed.prev().toDate();
}

export function serverTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function checkTimeZone(zone: string): string | null {
  if (zone === 'Local') return null;
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) throw new CronFormatError(`provided bad location ${zone}`);
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new CronFormatError(`provided bad location ${zone}: unknown time zone`);
  }
}

/** One field -> `*` or the sorted explicit values, with robfig's grammar and error messages. */
function normalizeField(field: string, rule: FieldRule): string {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range, step, ...extraSlashes] = part.split('/');
    if (extraSlashes.length) throw new CronFormatError(`too many slashes: ${part}`);
    if ((range === '*' || range === '?') && (step === undefined || step === '1')) return '*';
    const [low, high] = bounds(range, step !== undefined, rule);
    const by = step === undefined ? 1 : number(step, rule);
    if (by < 1) throw new CronFormatError(`step of range should be a positive number: ${part}`);
    for (let v = low; v <= high; v += by) values.add(v);
  }
  return [...values].sort((a, b) => a - b).join(',');
}

function bounds(range: string, stepped: boolean, rule: FieldRule): [number, number] {
  if (range === '*' || range === '?') return [rule.min, rule.max];
  const [lowText, highText, ...extraHyphens] = range.split('-');
  if (extraHyphens.length) throw new CronFormatError(`too many hyphens: ${range}`);
  const low = valueOf(lowText, rule);
  // `N/step` means N through the maximum, as robfig.
  const high = highText === undefined ? (stepped ? rule.max : low) : valueOf(highText, rule);
  if (low < rule.min) throw new CronFormatError(`beginning of range (${low}) below minimum (${rule.min}): ${range}`);
  if (high > rule.max) throw new CronFormatError(`end of range (${high}) above maximum (${rule.max}): ${range}`);
  if (low > high) throw new CronFormatError(`beginning of range (${low}) beyond end of range (${high}): ${range}`);
  return [low, high];
}

function valueOf(text: string, rule: FieldRule): number {
  const index = rule.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index >= 0) return index + (rule.name === 'month' ? 1 : 0);
  return number(text, rule);
}

function number(text: string, rule: FieldRule): number {
  if (!/^\d{1,4}$/.test(text)) throw new CronFormatError(`failed to parse int from ${text} (${rule.name})`);
  return Number(text);
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** `@every <Go duration>` (e.g. `1h30m`, `90m`, `1.5h`), at least one minute. */
function everyInterval(spec: string): number {
  const text = spec.slice('@every'.length).trim();
  const token = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let consumed = 0;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    consumed = token.lastIndex;
  }
  if (text === '' || consumed !== text.length) throw new CronFormatError(`failed to parse duration ${spec}`);
  if (total < MIN_EVERY_MS) throw new CronFormatError(`@every needs an interval of at least 1m: ${spec}`);
  if (total > 366 * 24 * 3_600_000) throw new CronFormatError(`@every interval too long: ${spec}`);
  return Math.round(total);
}
