import { lookup as dnsLookup } from 'node:dns/promises';
import net from 'node:net';
import { OffloadError } from '@offload/protocol';

/** Resolves a host name to every address it has. */
export type LookupFn = (host: string) => Promise<{ address: string; family: number }[]>;

export interface UrlPolicyOptions {
  /** Allow loopback, private, link-local… addresses (the SSRF guard off). Default false. */
  allowPrivate?: boolean;
  /** Host patterns (`example.com`, `*.example.org`); when set, only these hosts. */
  hostAllowlist?: string[];
  /**
   * URL prefixes always allowed whatever they resolve to: the built-in demo app on this
   * server, the operator's configured app URL. Compared with the parsed (normalised) href.
   */
  alwaysAllowed?: string[];
  /** Default: node:dns lookup with all addresses. */
  lookup?: LookupFn;
}

export type UrlDecision =
  | {
      allowed: true;
      url: URL /** Where to connect (the addresses checked); [] for about:blank. */;
      addresses: string[];
    }
  | { allowed: false; reason: string };

const defaultLookup: LookupFn = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Address blocks a cloud browser must not reach: [address, prefix, why]. */
const V4_BLOCKS: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const V6_BLOCKS: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'private (unique local)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
  ['100::', 64, 'discard'],
  ['2001:db8::', 32, 'documentation'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
];
const blocks = (() => {
  const byReason = new Map<string, net.BlockList>();
  for (const [list, type] of [
    [V4_BLOCKS, 'ipv4'],
    [V6_BLOCKS, 'ipv6'],
  ] as const) {
    for (const [addr, prefix, why] of list) {
      const b = byReason.get(why) ?? new net.BlockList();
      byReason.set(why, b);
      b.addSubnet(addr, prefix, type);
    }
  }
  return byReason;
})();

/** Expands an IPv6 address to its eight 16-bit groups. */
function v6Groups(ip: string): number[] {
  let s = ip.toLowerCase();
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const o = tail[1]!.split('.').map(Number);
    s =
      s.slice(0, -tail[1]!.length) +
      `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const r = rest ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array(8 - h.length - r.length).fill('0'), ...r];
  return groups.map((g) => Number.parseInt(g, 16));
}

/** The IPv4 address an IPv6 one carries (mapped, compatible, 6to4, NAT64), if any. */
function embeddedV4(ip: string): string | undefined {
  const g = v6Groups(ip);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!); // ::ffff:a.b.c.d
  if (zero(0, 6) && (g[6]! !== 0 || g[7]! > 1)) return v4(g[6]!, g[7]!); // ::a.b.c.d (deprecated)
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!); // 6to4
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4(g[6]!, g[7]!); // NAT64
  return undefined;
}

/** Why an address must not be reached (loopback, private…), or null for a public address. */
export function addressProblem(ip: string): string | null {
  const type = net.isIP(ip);
  if (type === 0) return 'not an IP address';
  const family = type === 4 ? 'ipv4' : 'ipv6';
  for (const [why, list] of blocks) if (list.check(ip, family)) return why;
  if (type === 6) {
    const v4 = embeddedV4(ip);
    if (v4) {
      const p = addressProblem(v4);
      if (p) return `${p} (IPv4 in IPv6)`;
    }
  }
  return null;
}

/** Whether `host` (lower case) matches a pattern: `example.com` exactly, `*.example.org` any subdomain. */
export function hostMatches(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (p.startsWith('*.')) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
  return h === p;
}

const ALLOWED_SCHEMES = new Set(['http:', 'https:']);

/**
 * Which URLs a cloud-browser session may open. Only http(s); the host must match the
 * allowlist (if any) and every address it resolves to must be public, unless private
 * addresses are allowed. The checked addresses come back so the caller connects to exactly
 * those (a second lookup could be answered differently: DNS rebinding).
 */
export class UrlPolicy {
  readonly #o: UrlPolicyOptions;
  readonly #alwaysAllowed: string[];
  readonly #lookup: LookupFn;

  constructor(o: UrlPolicyOptions = {}) {
    this.#o = o;
    this.#alwaysAllowed = [...(o.alwaysAllowed ?? [])];
    this.#lookup = o.lookup ?? defaultLookup;
  }

  /** Adds a URL prefix that is always allowed (e.g. once the server knows its port). */
  allowPrefix(prefix: string): void {
    this.#alwaysAllowed.push(new URL(prefix).href);
  }

  async check(raw: string | URL): Promise<UrlDecision> {
    let url: URL;
    try {
      url = new URL(String(raw));
    } catch {
      return { allowed: false, reason: 'not a valid absolute URL' };
    }
    if (url.href === 'about:blank') return { allowed: true, url, addresses: [] };
    if (!ALLOWED_SCHEMES.has(url.protocol))
      return { allowed: false, reason: `scheme "${url.protocol}" is not allowed` };
    if (url.username || url.password)
      return { allowed: false, reason: 'credentials in URLs are not allowed' };
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const trusted = this.#alwaysAllowed.some((p) => url.href.startsWith(p));
    if (!trusted) {
      const allowlist = this.#o.hostAllowlist;
      if (allowlist?.length && !allowlist.some((p) => hostMatches(host, p))) {
        return { allowed: false, reason: `host "${host}" is not on the allowlist` };
      }
      if (!this.#o.allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) {
        return { allowed: false, reason: `"${host}" is loopback` };
      }
    }
    let addresses: string[];
    if (net.isIP(host)) addresses = [host];
    else {
      try {
        addresses = (await this.#lookup(host)).map((a) => a.address);
      } catch (err) {
        return {
          allowed: false,
          reason: `"${host}" does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        };
      }
      if (addresses.length === 0) return { allowed: false, reason: `"${host}" does not resolve` };
    }
    if (!trusted && !this.#o.allowPrivate) {
      for (const a of addresses) {
        const problem = addressProblem(a);
        if (problem) return { allowed: false, reason: `"${host}" is ${problem} (${a})` };
      }
    }
    return { allowed: true, url, addresses };
  }

  /** The parsed URL, or OffloadError 'url-not-allowed' saying why not. */
  async assertAllowed(raw: string): Promise<URL> {
    const d = await this.check(raw);
    if (!d.allowed)
      throw new OffloadError('url-not-allowed', `This server does not open ${abbreviate(raw)}: ${d.reason}.`);
    return d.url;
  }
}

function abbreviate(s: string): string {
  return s.length > 100 ? `${s.slice(0, 100)}…` : s;
}
