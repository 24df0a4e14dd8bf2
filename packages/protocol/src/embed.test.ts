import { describe, expect, it } from 'vitest';
import {
  EMBED_MAX_TEXT_LENGTH,
  EMBED_PROTOCOL,
  EmbedHostMessage,
  EmbedPlayerMessage,
  isEmbedMessage,
  parseEmbedOrigin,
} from './embed.js';

const env = { protocol: EMBED_PROTOCOL, v: 1 } as const;

describe('embedding protocol', () => {
  it('accepts each command and refuses unknown or malformed ones', () => {
    const ok = [
      { type: 'connect' },
      { type: 'connect', token: 't' },
      { type: 'disconnect' },
      { type: 'take-control' },
      { type: 'set-quality', cap: 'low' },
      { type: 'rotate', orientation: 'landscape' },
      { type: 'send-text', text: 'hi' },
      { type: 'get-stats' },
    ];
    for (const command of ok)
      expect(EmbedHostMessage.safeParse({ ...env, kind: 'command', id: 1, command }).success).toBe(true);
    const bad = [
      { type: 'format-disk' },
      { type: 'set-quality', cap: 'ultra' },
      { type: 'send-text', text: '' },
      { type: 'send-text', text: 'x'.repeat(EMBED_MAX_TEXT_LENGTH + 1) },
      { type: 'connect', token: 'x'.repeat(5000) },
    ];
    for (const command of bad)
      expect(EmbedHostMessage.safeParse({ ...env, kind: 'command', id: 1, command }).success).toBe(false);
    expect(EmbedHostMessage.safeParse({ ...env, kind: 'command', id: -1, command: ok[0] }).success).toBe(
      false,
    );
    expect(EmbedHostMessage.safeParse({ ...env, kind: 'command', id: 1.5, command: ok[0] }).success).toBe(
      false,
    );
  });

  it('reads the player messages: ready, events, results', () => {
    expect(EmbedPlayerMessage.parse({ ...env, kind: 'ready', playerVersion: '0.1.0' }).kind).toBe('ready');
    const state = EmbedPlayerMessage.parse({
      ...env,
      kind: 'event',
      event: { type: 'state', state: 'failed', error: { code: 'unauthorized', message: 'no' } },
    });
    expect(state).toMatchObject({ event: { state: 'failed', error: { code: 'unauthorized' } } });
    expect(
      EmbedPlayerMessage.safeParse({
        ...env,
        kind: 'event',
        event: { type: 'state', state: 'dancing', error: null },
      }).success,
    ).toBe(false);
    expect(
      EmbedPlayerMessage.parse({
        ...env,
        kind: 'result',
        id: 3,
        ok: false,
        error: { code: 'x', message: 'y' },
      }),
    ).toMatchObject({ id: 3, ok: false });
  });

  it('tells embedding messages from anything else posted to a window', () => {
    expect(isEmbedMessage({ protocol: EMBED_PROTOCOL, v: 9 })).toBe(true);
    expect(isEmbedMessage({ protocol: 'other' })).toBe(false);
    expect(isEmbedMessage('offload-embed')).toBe(false);
    expect(isEmbedMessage(null)).toBe(false);
  });

  it('parses a parent origin as browsers write it, and nothing else', () => {
    expect(parseEmbedOrigin('https://Shop.Example.com')).toBe('https://shop.example.com');
    expect(parseEmbedOrigin('http://127.0.0.1:8195')).toBe('http://127.0.0.1:8195');
    expect(parseEmbedOrigin('https://a.example:443')).toBe('https://a.example');
    expect(parseEmbedOrigin('http://a.example:80/')).toBe('http://a.example');
    expect(parseEmbedOrigin('http://[::1]:9000')).toBe('http://[::1]:9000');
    for (const bad of [
      null,
      '',
      'null',
      '*',
      'javascript:alert(1)',
      'https://a.example/path',
      'https://user@a.example',
      'https://a.example?x=1',
      'file:///etc/passwd',
      'https://a.example:99999',
    ])
      expect(parseEmbedOrigin(bad)).toBeNull();
  });
});
