import { describe, expect, it } from 'vitest';
import { HostCheck } from './hostCheck.js';

describe('HostCheck', () => {
  const check = new HostCheck(['Offload.example.com']);

  it('allows IP literals, localhost and the configured names, with or without a port', () => {
    for (const h of [
      '127.0.0.1',
      '127.0.0.1:8080',
      '10.1.2.3:80',
      '[::1]',
      '[::1]:8080',
      'localhost',
      'LOCALHOST:8080',
      'offload.example.com',
      'offload.example.com.:443',
      undefined,
    ])
      expect(check.allows(h), String(h)).toBe(true);
  });

  it('refuses any other name (a rebound DNS name) and anything that is no host', () => {
    for (const h of [
      'evil.example',
      'evil.example:8080',
      'offload.example.com.evil.example',
      'localhost.evil.example',
      '',
      '[',
      '[::1',
      '[::1]x',
      'a b',
      '127.0.0.1:99999999',
      'user@127.0.0.1',
    ])
      expect(check.allows(h), h).toBe(false);
  });
});
