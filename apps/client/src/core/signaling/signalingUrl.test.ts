import { describe, expect, it } from 'vitest';
import { authCheckUrl, resolveSignalingUrl } from './signalingUrl';

describe('resolveSignalingUrl', () => {
  it('uses the page origin by default', () => {
    expect(resolveSignalingUrl({ protocol: 'http:', host: 'localhost:8080', search: '' })).toBe(
      'ws://localhost:8080/ws',
    );
    expect(resolveSignalingUrl({ protocol: 'https:', host: 'offload.example', search: '?session=abc' })).toBe(
      'wss://offload.example/ws',
    );
  });

  it('honours ?server=host:port with the page scheme', () => {
    expect(resolveSignalingUrl({ protocol: 'http:', host: 'a:1', search: '?server=127.0.0.1:8080' })).toBe(
      'ws://127.0.0.1:8080/ws',
    );
    expect(resolveSignalingUrl({ protocol: 'https:', host: 'a', search: '?server=edge.example' })).toBe(
      'wss://edge.example/ws',
    );
    expect(resolveSignalingUrl({ protocol: 'http:', host: 'a', search: '?server=[::1]:8080' })).toBe(
      'ws://[::1]:8080/ws',
    );
  });

  it('accepts a full ws URL', () => {
    expect(resolveSignalingUrl({ protocol: 'http:', host: 'a', search: '?server=wss://x.example/ws' })).toBe(
      'wss://x.example/ws',
    );
  });

  it('rejects anything else', () => {
    expect(() => resolveSignalingUrl({ protocol: 'http:', host: 'a', search: '?server=evil/path' })).toThrow(
      TypeError,
    );
    expect(() => resolveSignalingUrl({ protocol: 'http:', host: 'a', search: '?server=u@h:1' })).toThrow(
      TypeError,
    );
  });

  it('passes ?token= on to the socket URL, and derives the auth-check URL from it', () => {
    const url = resolveSignalingUrl({
      protocol: 'https:',
      host: 'o.example',
      search: '?session=s&token=a.b-c_d',
    });
    expect(url).toBe('wss://o.example/ws?token=a.b-c_d');
    expect(authCheckUrl(url)).toBe('https://o.example/api/auth-check?token=a.b-c_d');
    expect(resolveSignalingUrl({ protocol: 'http:', host: 'a', search: '?server=127.0.0.1:9&token=t' })).toBe(
      'ws://127.0.0.1:9/ws?token=t',
    );
    expect(authCheckUrl('ws://a/ws')).toBe('http://a/api/auth-check');
  });
});
