import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has defaults that work out of the box', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      screen: { width: 720, height: 1280, touch: true },
      video: { fps: 30, codecs: ['h264', 'vp8'] },
      rtc: { listenIp: '127.0.0.1', port: 44444 },
    });
    expect(c.workers).toBeGreaterThanOrEqual(1);
  });

  it('has simulcast on (two layers) and a per-router viewer limit by default', () => {
    const c = loadConfig({});
    expect(c.video.simulcast).toEqual({ layers: 2, scaleStep: 2, bitrateStep: 0.2 });
    expect(c.viewersPerRouter).toBe(50);
    expect(loadConfig({ OFFLOAD_SIMULCAST: '1' }).video.simulcast.layers).toBe(1);
    expect(() => loadConfig({ OFFLOAD_SIMULCAST_BITRATE: '0' })).toThrow(ConfigError);
  });

  it('reads variables and treats empty ones as unset', () => {
    const c = loadConfig({
      OFFLOAD_PORT: '9000',
      OFFLOAD_CODECS: 'vp8',
      OFFLOAD_SCREEN_TOUCH: 'false',
      OFFLOAD_FPS: '',
    });
    expect(c.port).toBe(9000);
    expect(c.video.codecs).toEqual(['vp8']);
    expect(c.screen.touch).toBe(false);
    expect(c.video.fps).toBe(30);
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ OFFLOAD_PORT: 'abc', OFFLOAD_CODECS: 'h265' })).toThrow(ConfigError);
    try {
      loadConfig({ OFFLOAD_PORT: 'abc', OFFLOAD_CODECS: 'h265' });
    } catch (e) {
      expect((e as Error).message).toContain('OFFLOAD_PORT');
      expect((e as Error).message).toContain('OFFLOAD_CODECS');
    }
  });

  it('reads the auth settings and refuses inconsistent ones', () => {
    const c = loadConfig({
      OFFLOAD_AUTH_SECRET: 'x'.repeat(32),
      OFFLOAD_ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080',
      OFFLOAD_URL_ALLOWLIST: 'Example.com,*.example.org',
    });
    expect(c.auth).toMatchObject({
      secret: 'x'.repeat(32),
      maxTtlS: 86_400,
      allowedOrigins: ['https://a.example', 'http://b.example:8080'],
    });
    expect(c.urlPolicy).toEqual({ allowPrivate: false, hostAllowlist: ['example.com', '*.example.org'] });
    expect(loadConfig({}).auth.secret).toBeUndefined();
    expect(() => loadConfig({ OFFLOAD_AUTH_SECRET: 'short' })).toThrow(/OFFLOAD_AUTH_SECRET/);
    expect(() => loadConfig({ OFFLOAD_API_KEY: 'k'.repeat(20) })).toThrow(/needs OFFLOAD_AUTH_SECRET/);
    expect(() => loadConfig({ OFFLOAD_ALLOWED_ORIGINS: 'a.example/path' })).toThrow(
      /OFFLOAD_ALLOWED_ORIGINS/,
    );
  });

  it('refuses open mode on an address other machines reach, unless asked for in so many words', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(loadConfig({ OFFLOAD_HOST: host }).host).toBe(host);
    expect(() => loadConfig({ OFFLOAD_HOST: '0.0.0.0' })).toThrow(
      /OFFLOAD_AUTH_SECRET.*OFFLOAD_INSECURE_OPEN_MODE=1/s,
    );
    expect(() => loadConfig({ OFFLOAD_HOST: '192.168.1.5' })).toThrow(/reachable from other machines/);
    expect(loadConfig({ OFFLOAD_HOST: '0.0.0.0', OFFLOAD_INSECURE_OPEN_MODE: '1' }).host).toBe('0.0.0.0');
    expect(loadConfig({ OFFLOAD_HOST: '0.0.0.0', OFFLOAD_AUTH_SECRET: 'x'.repeat(32) }).host).toBe('0.0.0.0');
  });

  it('answers to the host names configured and to the public URL', () => {
    const c = loadConfig({
      OFFLOAD_ALLOWED_HOSTS: 'Offload.example.com, cloud.example.org',
      OFFLOAD_PUBLIC_URL: 'https://play.example.net/',
    });
    expect(c.auth.allowedHosts).toEqual(['offload.example.com', 'cloud.example.org', 'play.example.net']);
    expect(loadConfig({}).auth.allowedHosts).toEqual([]);
  });
});

describe('loadConfig: a cluster', () => {
  it('is a single node without OFFLOAD_REDIS_URL', () => {
    expect(loadConfig({}).cluster).toMatchObject({ redisUrl: undefined, heartbeatMs: 2000 });
  });

  it('refuses Redis without the cluster secret, naming it', () => {
    expect(() => loadConfig({ OFFLOAD_REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /OFFLOAD_CLUSTER_SECRET/,
    );
    const c = loadConfig({
      OFFLOAD_REDIS_URL: 'redis://127.0.0.1:6379',
      OFFLOAD_CLUSTER_SECRET: 'x'.repeat(32),
      OFFLOAD_NODE_ID: 'node-a',
      OFFLOAD_NODE_URL: 'http://10.0.0.2:8080/',
    });
    expect(c.cluster).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', nodeId: 'node-a' });
    // The other nodes call it by that name.
    expect(c.auth.allowedHosts).toContain('10.0.0.2');
  });

  it('refuses a short secret, a non-Redis URL and a node URL with a path', () => {
    const base = { OFFLOAD_REDIS_URL: 'redis://r:6379', OFFLOAD_CLUSTER_SECRET: 'x'.repeat(32) };
    expect(() => loadConfig({ ...base, OFFLOAD_CLUSTER_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, OFFLOAD_REDIS_URL: 'http://r:6379' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, OFFLOAD_NODE_URL: 'http://a:1/x' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, OFFLOAD_NODE_ID: 'a b' })).toThrow(ConfigError);
  });
});
