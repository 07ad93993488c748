import { AppId, BUILT_IN_APP_PRIORITIES } from '@semaphore/models';

/**
 * The apps of `GET /api/apps`: the built-ins with their upstream priorities, overlaid by `option` rows
 * `apps.<id>.<field>` (as upstream's `db.FillConfigFromDB`); an option row for another id makes a custom app.
 */
export interface AppSettings {
  active: boolean;
  priority: number;
  title: string;
  icon: string;
  color: string;
  dark_color: string;
  path: string;
  args: string[] | null;
}

/** A list item: upstream embeds the App struct first, then `id`. */
export type WireAppItem = AppSettings & { id: string };

export const APP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Built-ins active by default: the ones upstream activates when their binary is found, as in its official image.
 * The api cannot look at the runners' PATH, so powershell and python stay off until an admin activates them.
 */
const DEFAULT_ACTIVE: ReadonlySet<string> = new Set([AppId.Ansible, AppId.Terraform, AppId.Tofu, AppId.Bash]);

const STRING_FIELDS = ['title', 'icon', 'color', 'dark_color', 'path'] as const;
type StringField = (typeof STRING_FIELDS)[number];
const OPTION_KEY = /^apps\.([A-Za-z0-9_-]{1,64})\.(active|priority|title|icon|color|dark_color|path|args)$/;

export function isBuiltInApp(id: string): boolean {
  return Object.prototype.hasOwnProperty.call(BUILT_IN_APP_PRIORITIES, id);
}

function defaults(id: string): AppSettings {
  const priority = isBuiltInApp(id) ? (BUILT_IN_APP_PRIORITIES[id as AppId] ?? 0) : 0;
  const active = DEFAULT_ACTIVE.has(id);
  return { active, priority, title: '', icon: '', color: '', dark_color: '', path: '', args: null };
}

function applyOption(app: AppSettings, builtInPriority: number, field: string, value: string): void {
  if (field === 'active') app.active = /^(1|true|yes)$/i.test(value);
  else if (field === 'priority') {
    const n = /^-?\d{1,9}$/.test(value) ? Number(value) : 0;
    // As upstream's LookupDefaultApps: a priority <= 0 falls back to the built-in one.
    app.priority = n > 0 ? n : builtInPriority;
  } else if (field === 'args') app.args = parseArgs(value) ?? app.args;
  else app[field as StringField] = value;
}

function parseArgs(value: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

/** Every app (built-ins and custom ones) from the `apps.*` option rows. */
export function appsFromOptions(options: ReadonlyArray<{ key: string; value: string }>): Map<string, AppSettings> {
  const apps = new Map<string, AppSettings>();
  for (const id of Object.keys(BUILT_IN_APP_PRIORITIES)) apps.set(id, defaults(id));
  for (const { key, value } of options) {
    const match = OPTION_KEY.exec(key);
    if (!match) continue;
    const [, id, field] = match;
    const app = apps.get(id) ?? defaults(id);
    apps.set(id, app);
    applyOption(app, defaults(id).priority, field, value);
  }
  return apps;
}

/** Sorted by priority, highest first (then by id, for a stable order). */
export function sortedApps(apps: Map<string, AppSettings>): WireAppItem[] {
  return [...apps]
    .map(([id, app]) => toWireAppItem(id, app))
    .sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
}

/** `GET /api/apps/{id}` is the bare App (no id), as upstream. */
export function toWireApp(app: AppSettings): AppSettings {
  return {
    active: app.active,
    priority: app.priority,
    title: app.title,
    icon: app.icon,
    color: app.color,
    dark_color: app.dark_color,
    path: app.path,
    args: app.args,
  };
}

export function toWireAppItem(id: string, app: AppSettings): WireAppItem {
  return { ...toWireApp(app), id };
}

export interface AppOptionChanges {
  set: Record<string, string>;
  remove: string[];
}

/**
 * Option rows for a `PUT /api/apps/{id}` body, as upstream's `setApp`: empty strings and empty `args` delete the
 * option; fields the body leaves out are not touched.
 */
export function appOptionChanges(id: string, body: Partial<AppSettings>): AppOptionChanges {
  const out: AppOptionChanges = { set: {}, remove: [] };
  const key = (field: string) => `apps.${id}.${field}`;
  if (body.active !== undefined && body.active !== null) out.set[key('active')] = String(body.active);
  if (body.priority !== undefined && body.priority !== null) out.set[key('priority')] = String(body.priority);
  for (const field of STRING_FIELDS) {
    const value = body[field];
    if (typeof value !== 'string') continue;
    if (value === '') out.remove.push(key(field));
    else out.set[key(field)] = value;
  }
  if (Array.isArray(body.args)) {
    if (body.args.length) out.set[key('args')] = JSON.stringify(body.args);
    else out.remove.push(key('args'));
  }
  return out;
}
