import { load as loadYaml } from 'js-yaml';

/** A host of an ansible inventory with its merged variables (all < groups < host) and the groups it is in. */
export interface InventoryHost {
  name: string;
  vars: Record<string, string>;
  groups: string[];
}

export class InventoryParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InventoryParseError';
  }
}

interface Group {
  hosts: Map<string, Record<string, string>>;
  vars: Record<string, string>;
  children: string[];
}

class InventoryBuilder {
  private readonly groups = new Map<string, Group>();
  private readonly hostOrder: string[] = [];

  group(name: string): Group {
    let g = this.groups.get(name);
    if (!g) {
      g = { hosts: new Map(), vars: {}, children: [] };
      this.groups.set(name, g);
    }
    return g;
  }

  addHost(group: string, name: string, vars: Record<string, string>): void {
    const g = this.group(group);
    g.hosts.set(name, { ...(g.hosts.get(name) ?? {}), ...vars });
    if (!this.hostOrder.includes(name)) this.hostOrder.push(name);
  }

  /** Hosts in the order first seen; variables of `all`, then of each group from the outermost in, then the host's. */
  hosts(): InventoryHost[] {
    return this.hostOrder.map((name) => {
      const groups = this.groupsOf(name);
      const vars: Record<string, string> = { ...(this.groups.get('all')?.vars ?? {}) };
      for (const g of groups) if (g !== 'all') Object.assign(vars, this.groups.get(g)?.vars);
      for (const g of groups) Object.assign(vars, this.groups.get(g)?.hosts.get(name));
      return { name, vars, groups: groups.filter((g) => g !== 'all') };
    });
  }

  /** The groups that hold the host directly or through children, outermost first. */
  private groupsOf(host: string): string[] {
    const direct = [...this.groups].filter(([, g]) => g.hosts.has(host)).map(([n]) => n);
    const found = new Set<string>();
    const visit = (name: string, depth: number): void => {
      if (depth > 64) throw new InventoryParseError(`group ${name}: children nest too deep (a cycle?)`);
      found.add(name);
      for (const [parent, g] of this.groups)
        if (g.children.includes(name) && !found.has(parent)) visit(parent, depth + 1);
    };
    for (const g of direct) visit(g, 0);
    const depth = (name: string, seen = new Set<string>()): number => {
      seen.add(name);
      const parents = [...this.groups].filter(([p, g]) => g.children.includes(name) && !seen.has(p)).map(([p]) => p);
      return parents.length ? 1 + Math.max(...parents.map((p) => depth(p, seen))) : 0;
    };
    return [...found].sort((a, b) => depth(a) - depth(b));
  }
}

/** `web[01:03]` -> web01, web02, web03 (ansible's numeric and alphabetic ranges). */
function expandRange(pattern: string): string[] {
  const m = /^(.*)\[([0-9]+|[a-z]):([0-9]+|[a-z])(?::([0-9]+))?\](.*)$/.exec(pattern);
  if (!m) return [pattern];
  const [, head, from, to, stepText, tail] = m;
  const step = stepText ? Number(stepText) : 1;
  const out: string[] = [];
  if (/^[0-9]+$/.test(from) && /^[0-9]+$/.test(to)) {
    const width = from.length;
    for (let i = Number(from); i <= Number(to) && out.length <= 10_000; i += step) {
      out.push(`${head}${String(i).padStart(width, '0')}${tail}`);
    }
  } else {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c += step)
      out.push(`${head}${String.fromCharCode(c)}${tail}`);
  }
  if (out.length > 10_000) throw new InventoryParseError(`host range ${pattern} is too large`);
  return out.flatMap(expandRange);
}

/** `k=v k2="a b" k3='c'` of an INI host or vars line. */
function iniPairs(text: string, where: string): Record<string, string> {
  const vars: Record<string, string> = {};
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/y;
  let rest = text.trim();
  while (rest) {
    re.lastIndex = 0;
    const m = re.exec(rest);
    if (!m) throw new InventoryParseError(`${where}: expected key=value, found "${rest.slice(0, 40)}"`);
    let value = m[2];
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (value.startsWith("'")) value = value.slice(1, -1);
    vars[m[1]] = value;
    rest = rest.slice(m[0].length).trim();
  }
  return vars;
}

function parseIni(text: string): InventoryBuilder {
  const inv = new InventoryBuilder();
  let section: { group: string; kind: 'hosts' | 'vars' | 'children' } = { group: 'ungrouped', kind: 'hosts' };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const where = `inventory line ${i + 1}`;
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]:]+)(?::(vars|children))?\]$/.exec(line);
    if (header) {
      section = { group: header[1].trim(), kind: (header[2] as 'vars' | 'children' | undefined) ?? 'hosts' };
      inv.group(section.group);
      return;
    }
    if (section.kind === 'vars') {
      const eq = line.indexOf('=');
      if (eq <= 0) throw new InventoryParseError(`${where}: expected key=value`);
      inv.group(section.group).vars[line.slice(0, eq).trim()] = line
        .slice(eq + 1)
        .trim()
        .replace(/^(["'])(.*)\1$/, '$2');
      return;
    }
    if (section.kind === 'children') {
      inv.group(line);
      inv.group(section.group).children.push(line);
      return;
    }
    const [pattern, ...rest] = line.split(/\s+/);
    const vars = iniPairs(rest.join(' '), where);
    for (const name of expandRange(pattern)) inv.addHost(section.group, name, vars);
  });
  return inv;
}

function scalarVars(value: unknown, where: string): Record<string, string> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InventoryParseError(`${where} must be a mapping`);
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || typeof v === 'object') continue;
    vars[k] = String(v);
  }
  return vars;
}

function parseYaml(text: string): InventoryBuilder {
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch (err) {
    throw new InventoryParseError(`the YAML inventory does not parse: ${(err as Error).message.split('\n')[0]}`);
  }
  const inv = new InventoryBuilder();
  if (doc === null || doc === undefined) return inv;
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new InventoryParseError('the YAML inventory must be a mapping');
  const visit = (name: string, body: unknown, depth: number): void => {
    if (depth > 64) throw new InventoryParseError(`group ${name}: nested too deep`);
    const g = inv.group(name);
    if (body === null || body === undefined) return;
    if (typeof body !== 'object' || Array.isArray(body))
      throw new InventoryParseError(`group ${name} must be a mapping`);
    const { hosts, vars, children } = body as Record<string, unknown>;
    Object.assign(g.vars, scalarVars(vars, `group ${name} vars`));
    for (const [host, hostVars] of Object.entries(scalarMapping(hosts, `group ${name} hosts`))) {
      for (const h of expandRange(host)) inv.addHost(name, h, scalarVars(hostVars, `host ${host}`));
    }
    for (const [child, childBody] of Object.entries(scalarMapping(children, `group ${name} children`))) {
      if (!g.children.includes(child)) g.children.push(child);
      visit(child, childBody, depth + 1);
    }
  };
  for (const [name, body] of Object.entries(doc)) visit(name, body, 0);
  return inv;
}

function scalarMapping(value: unknown, where: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InventoryParseError(`${where} must be a mapping`);
  return value as Record<string, unknown>;
}

/** The hosts of an ansible inventory, INI (`static`) or YAML (`static-yaml`, or a file that looks like YAML). */
export function parseInventory(text: string, format: 'ini' | 'yaml'): InventoryHost[] {
  return (format === 'yaml' ? parseYaml(text) : parseIni(text)).hosts();
}

/** A guess for inventory files of the repository: `.yml`/`.yaml` names are YAML, the rest INI. */
export function inventoryFormatOf(path: string): 'ini' | 'yaml' {
  return /\.ya?ml$/i.test(path) ? 'yaml' : 'ini';
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(value);
}

/**
 * The hosts an ansible `--limit` selects: patterns separated by `,` or `:`, each a host or group name with `*`/`?`
 * wildcards (`all` is every host); `!pattern` excludes, `&pattern` intersects. An empty limit selects every host.
 */
export function selectHosts(hosts: readonly InventoryHost[], limit: string): InventoryHost[] {
  const patterns = limit
    .split(/[,:]/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (patterns.length === 0) return [...hosts];
  const matches = (h: InventoryHost, p: string) =>
    p === 'all' || globMatch(p, h.name) || h.groups.some((g) => globMatch(p, g));
  const include = patterns.filter((p) => !p.startsWith('!') && !p.startsWith('&'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const intersect = patterns.filter((p) => p.startsWith('&')).map((p) => p.slice(1));
  return hosts.filter(
    (h) =>
      (include.length === 0 || include.some((p) => matches(h, p))) &&
      !exclude.some((p) => matches(h, p)) &&
      intersect.every((p) => matches(h, p)),
  );
}
