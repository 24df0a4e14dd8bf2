import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage, parseUpstreamMessage, utf8Length } from './parse.js';
import { MAX_INPUT_MESSAGE_BYTES, MAX_SIGNALING_MESSAGE_BYTES } from './version.js';

describe('parseClientMessage', () => {
  it('accepts a valid request and applies defaults', () => {
    const r = parseClientMessage(
      JSON.stringify({
        type: 'data/produce',
        id: 3,
        transportId: 't',
        sctpStreamParameters: {},
        label: 'input',
      }),
    );
    expect(r).toEqual({
      ok: true,
      value: {
        type: 'data/produce',
        id: 3,
        transportId: 't',
        sctpStreamParameters: {},
        label: 'input',
        protocol: '',
      },
    });
  });

  it('names invalid JSON', () => {
    const r = parseClientMessage('{"type":');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('bad-json');
  });

  it('names an unknown type and keeps the request id for the reply', () => {
    const r = parseClientMessage(JSON.stringify({ type: 'session/explode', id: 9 }));
    expect(r).toMatchObject({ ok: false, requestId: 9, error: { code: 'unknown-type' } });
    if (!r.ok) expect(r.error.message).toContain('session/explode');
  });

  it('names a missing field and a wrong-typed field', () => {
    const missing = parseClientMessage(JSON.stringify({ type: 'session/join', id: 1 }));
    expect(missing).toMatchObject({ ok: false, requestId: 1, error: { code: 'invalid-message' } });
    if (!missing.ok) expect(missing.error.message).toContain('sessionId');
    const wrong = parseClientMessage(JSON.stringify({ type: 'transport/create', id: 2, direction: 42 }));
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
    if (!wrong.ok) expect(wrong.error.message).toContain('direction');
  });

  it('rejects non-objects and messages without a type', () => {
    for (const text of ['[]', '42', 'null', '{"id":1}']) {
      const r = parseClientMessage(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('invalid-message');
    }
  });

  it('rejects an oversized message before parsing it', () => {
    const r = parseClientMessage(
      JSON.stringify({ type: 'hello', id: 1, client: 'x'.repeat(MAX_SIGNALING_MESSAGE_BYTES) }),
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'too-large' } });
  });
});

describe('parseUpstreamMessage', () => {
  it('accepts every event kind', () => {
    const events = [
      { type: 'pointer', seq: 1, ts: 5, action: 'down', x: 0.5, y: 0.5, button: 0, buttons: 1 },
      { type: 'touch', seq: 2, ts: 5, action: 'start', touches: [{ id: 0, x: 0.1, y: 0.9 }] },
      { type: 'wheel', seq: 3, ts: 5, x: 0.5, y: 0.5, dx: 0, dy: 120 },
      { type: 'key', seq: 4, ts: 5, action: 'down', code: 'KeyA', key: 'a' },
      { type: 'text', seq: 5, ts: 5, text: 'héllo 你好 👍' },
    ];
    for (const e of events) expect(parseUpstreamMessage(JSON.stringify(e)).ok, e.type).toBe(true);
  });

  it('keeps committed text exactly', () => {
    const r = parseUpstreamMessage(JSON.stringify({ type: 'text', seq: 1, ts: 1, text: 'héllo 你好' }));
    expect(r.ok && r.value.type === 'text' && r.value.text).toBe('héllo 你好');
  });

  it('rejects coordinates outside the screen and too many touches', () => {
    expect(
      parseUpstreamMessage(JSON.stringify({ type: 'pointer', seq: 1, ts: 1, action: 'move', x: 1.5, y: 0 }))
        .ok,
    ).toBe(false);
    const touches = Array.from({ length: 11 }, (_, id) => ({ id, x: 0, y: 0 }));
    expect(
      parseUpstreamMessage(JSON.stringify({ type: 'touch', seq: 1, ts: 1, action: 'move', touches })).ok,
    ).toBe(false);
  });

  it('rejects oversized input', () => {
    const r = parseUpstreamMessage(
      JSON.stringify({ type: 'text', seq: 1, ts: 1, text: '你'.repeat(MAX_INPUT_MESSAGE_BYTES) }),
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'too-large' } });
  });
});

describe('parseServerMessage', () => {
  it('accepts responses and notifications, rejects junk', () => {
    expect(parseServerMessage('{"type":"response","id":1,"ok":true,"data":{}}').ok).toBe(true);
    expect(
      parseServerMessage('{"type":"response","id":1,"ok":false,"error":{"code":"internal","message":"x"}}')
        .ok,
    ).toBe(true);
    expect(parseServerMessage('{"type":"session/closed","sessionId":"a","reason":"r"}').ok).toBe(true);
    expect(
      parseServerMessage('{"type":"response","id":1,"ok":false,"error":{"code":"???","message":"x"}}').ok,
    ).toBe(false);
  });
});

describe('utf8Length', () => {
  it('counts like UTF-8', () => {
    for (const s of ['', 'abc', 'héllo', '你好', '👍', 'a👍b你']) {
      expect(utf8Length(s), s).toBe(Buffer.byteLength(s, 'utf8'));
    }
  });
});
