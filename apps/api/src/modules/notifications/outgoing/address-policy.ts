import { isIP } from 'node:net';

/** What an IP address is, for the outgoing request guard. */
export type AddressKind =
  'public' | 'loopback' | 'unspecified' | 'link-local' | 'metadata' | 'private' | 'multicast' | 'reserved' | 'invalid';

/** Allowed only by SEMAPHORE_NOTIFICATIONS_ALLOW_PRIVATE (or an allowlist entry). */
const PRIVATE_KINDS: ReadonlySet<AddressKind> = new Set(['loopback', 'link-local', 'private']);

export interface AddressPolicy {
  allowPrivate: boolean;
  /** Lower-case host names, IP addresses or CIDR ranges that may always be reached. */
  allowedHosts: readonly string[];
}

/** Cloud metadata endpoints (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba, Oracle). */
const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', '192.0.0.192']);
const METADATA_V6 = new Set(['fd00:ec2:0:0:0:0:0:254']);

interface Range {
  base: bigint;
  bits: number;
  kind: AddressKind;
}

function v4(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** Parses an IPv6 address (with `::` and an optional dotted IPv4 tail) into 128 bits. */
function v6(text: string): bigint {
  let s = text.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const n = Number(v4(dotted[1]));
    s = s.slice(0, -dotted[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

const range = (cidr: string, kind: AddressKind, parse: (s: string) => bigint): Range => {
  const [base, bits] = cidr.split('/');
  return { base: parse(base), bits: Number(bits), kind };
};

/** Most specific first: the first match decides. */
const V4_RANGES: Range[] = [
  ['0.0.0.0/8', 'unspecified'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['10.0.0.0/8', 'private'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  ['100.64.0.0/10', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'reserved'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'reserved'],
  ['203.0.113.0/24', 'reserved'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
].map(([c, k]) => range(c, k as AddressKind, v4));

const V6_RANGES: Range[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fe80::/10', 'link-local'],
  ['fc00::/7', 'private'],
  ['fec0::/10', 'reserved'],
  ['ff00::/8', 'multicast'],
  ['2001:db8::/32', 'reserved'],
  ['100::/64', 'reserved'],
].map(([c, k]) => range(c, k as AddressKind, v6));

function inRange(value: bigint, width: number, r: Range): boolean {
  const shift = BigInt(width - r.bits);
  return value >> shift === r.base >> shift;
}

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`) or NAT64 address. */
function embeddedV4(value: bigint): string | null {
  const high = value >> 32n;
  const nat64 = v6('64:ff9b::') >> 32n;
  if (high === 0xffffn || (high === 0n && value > 0xffffn) || high === nat64) {
    const n = Number(value & 0xffffffffn);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  return null;
}

/** Classifies one IP address (IPv4 or IPv6 text). */
export function classifyAddress(address: string): AddressKind {
  const family = isIP(address.replace(/%.*$/, ''));
  if (family === 4) {
    if (METADATA_V4.has(address)) return 'metadata';
    if (address === '255.255.255.255') return 'reserved';
    const value = v4(address);
    return V4_RANGES.find((r) => inRange(value, 32, r))?.kind ?? 'public';
  }
  if (family === 6) {
    const value = v6(address);
    const inner = embeddedV4(value);
    if (inner) return classifyAddress(inner);
    const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
    if (METADATA_V6.has(groups.join(':'))) return 'metadata';
    return V6_RANGES.find((r) => inRange(value, 128, r))?.kind ?? 'public';
  }
  return 'invalid';
}

function matchesEntry(address: string, entry: string): boolean {
  if (!entry.includes('/')) return isIP(entry) !== 0 && v6OrV4(entry) === v6OrV4(address);
  const [base, bitsText] = entry.split('/');
  const family = isIP(base);
  const bits = Number(bitsText);
  if (family === 0 || family !== isIP(address) || !Number.isInteger(bits)) return false;
  const width = family === 4 ? 32 : 128;
  if (bits < 0 || bits > width) return false;
  const parse = family === 4 ? v4 : v6;
  return inRange(parse(address), width, { base: parse(base), bits, kind: 'public' });
}

function v6OrV4(address: string): string {
  return isIP(address) === 4 ? address : v6(address).toString(16);
}

/** Whether `hostname` (as written in the URL, lower-case, no brackets) is on the allowlist by name. */
export function hostAllowedByName(hostname: string, policy: AddressPolicy): boolean {
  return policy.allowedHosts.includes(hostname.toLowerCase());
}

/** Why `address` may not be reached, or null when it may. */
export function refusalReason(address: string, policy: AddressPolicy): string | null {
  if (policy.allowedHosts.some((entry) => matchesEntry(address, entry))) return null;
  const kind = classifyAddress(address);
  if (kind === 'public') return null;
  if (policy.allowPrivate && PRIVATE_KINDS.has(kind)) return null;
  return `${address} is a ${kind} address`;
}
