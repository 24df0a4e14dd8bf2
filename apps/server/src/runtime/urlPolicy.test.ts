import { describe, expect, it } from 'vitest';
import { addressProblem, hostMatches, type LookupFn, UrlPolicy } from './urlPolicy.js';

/** A resolver with fixed answers: no network in tests. */
const zone: Record<string, string[]> = {
  'example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'app.example.org': ['151.101.1.1'],
  'evil.example.com': ['10.1.2.3'],
  'sneaky.example.com': ['93.184.215.14', '169.254.169.254'],
  'v6local.example.com': ['fd00::1'],
  localhost: ['127.0.0.1', '::1'],
};
const lookup: LookupFn = async (host) => {
  const a = zone[host];
  if (!a) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

async function verdict(p: UrlPolicy, url: string): Promise<true | string> {
  const d = await p.check(url);
  return d.allowed ? true : d.reason;
}

describe('addressProblem', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private (unique local)'],
    ['fd12:3456::1', 'private (unique local)'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    // IPv4-mapped: node's BlockList matches them against the IPv4 blocks itself.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local (cloud metadata)'],
    ['::ffff:192.168.0.1', 'private'],
    // IPv4-compatible, 6to4 and NAT64 need our own unpacking.
    ['::7f00:1', 'loopback (IPv4 in IPv6)'],
    ['2002:7f00:1::', 'loopback (IPv4 in IPv6)'],
    ['64:ff9b::10.0.0.1', 'private (IPv4 in IPv6)'],
  ])('%s is %s', (ip, why) => {
    expect(addressProblem(ip)).toBe(why);
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (ip) => {
      expect(addressProblem(ip)).toBeNull();
    },
  );
});

describe('hostMatches', () => {
  it('matches exact names and subdomain wildcards', () => {
    expect(hostMatches('example.com', 'example.com')).toBe(true);
    expect(hostMatches('EXAMPLE.com.', 'example.com')).toBe(true);
    expect(hostMatches('a.example.com', 'example.com')).toBe(false);
    expect(hostMatches('a.b.example.org', '*.example.org')).toBe(true);
    expect(hostMatches('example.org', '*.example.org')).toBe(false);
    expect(hostMatches('badexample.org', '*.example.org')).toBe(false);
  });
});

describe('UrlPolicy', () => {
  const policy = new UrlPolicy({ lookup, alwaysAllowed: ['http://127.0.0.1:8080/demo/'] });

  it('allows public http(s) URLs and returns the addresses it checked', async () => {
    const d = await policy.check('https://example.com/path?q=1');
    expect(d.allowed && d.addresses).toEqual(zone['example.com']);
    expect(await verdict(policy, 'http://8.8.8.8/')).toBe(true);
    expect(await verdict(policy, 'about:blank')).toBe(true);
  });

  it.each([
    ['file:///etc/passwd', 'scheme "file:" is not allowed'],
    ['data:text/html,<h1>x</h1>', 'scheme "data:" is not allowed'],
    ['javascript:alert(1)', 'scheme "javascript:" is not allowed'],
    ['chrome://settings', 'scheme "chrome:" is not allowed'],
    ['about:config', 'scheme "about:" is not allowed'],
    ['ftp://example.com/', 'scheme "ftp:" is not allowed'],
    ['view-source:http://example.com', 'scheme "view-source:" is not allowed'],
    ['not a url', 'not a valid absolute URL'],
    ['http://user:pw@example.com/', 'credentials in URLs are not allowed'],
  ])('refuses %s', async (url, why) => {
    expect(await verdict(policy, url)).toBe(why);
  });

  it.each([
    'http://127.0.0.1/',
    'http://127.1/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://017700000001/',
    'http://0/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]:8080/',
    'http://localhost:8080/',
    'http://foo.localhost/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/',
    'http://10.0.0.1/',
    'http://192.168.0.1/',
    'http://100.64.1.1/',
    // Names that resolve to private addresses, all of them or one of several.
    'http://evil.example.com/',
    'http://sneaky.example.com/',
    'http://v6local.example.com/',
    // The demo's own origin, but outside the demo's path (e.g. the server's /debug or /api).
    'http://127.0.0.1:8080/debug/sessions/x',
    'http://127.0.0.1:8080/demo/../api/sessions',
    'https://127.0.0.1:8080/demo/',
  ])('refuses %s (loopback, private, link-local…)', async (url) => {
    expect(await verdict(policy, url)).not.toBe(true);
  });

  it('always allows the demo app, and refuses names that do not resolve', async () => {
    expect(await verdict(policy, 'http://127.0.0.1:8080/demo/')).toBe(true);
    expect(await verdict(policy, 'http://127.0.0.1:8080/demo/app.js')).toBe(true);
    expect(await verdict(policy, 'http://nowhere.invalid/')).toContain('does not resolve');
  });

  it('with an allowlist, allows only listed hosts (and still refuses private addresses)', async () => {
    const p = new UrlPolicy({ lookup, hostAllowlist: ['example.com', '*.example.org', 'evil.example.com'] });
    expect(await verdict(p, 'https://example.com/')).toBe(true);
    expect(await verdict(p, 'https://app.example.org/')).toBe(true);
    expect(await verdict(p, 'http://8.8.8.8/')).toContain('not on the allowlist');
    expect(await verdict(p, 'https://evil.example.com/')).toContain('private');
  });

  it('lets private addresses through when configured so', async () => {
    const p = new UrlPolicy({ lookup, allowPrivate: true });
    expect(await verdict(p, 'http://127.0.0.1:9/')).toBe(true);
    expect(await verdict(p, 'http://localhost/')).toBe(true);
    expect(await verdict(p, 'file:///etc/passwd')).not.toBe(true);
  });

  it('throws url-not-allowed from assertAllowed', async () => {
    await expect(policy.assertAllowed('http://127.1/')).rejects.toMatchObject({ code: 'url-not-allowed' });
    expect((await policy.assertAllowed('https://example.com')).href).toBe('https://example.com/');
  });
});
