import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage } from './parse.js';
import { MAX_SIGNALING_MESSAGE_BYTES } from './version.js';

const produce = {
  type: 'capture/produce',
  id: 1,
  requestId: 'r1',
  transportId: 't1',
  kind: 'video',
  rtpParameters: { codecs: [], encodings: [] },
};

describe('capture messages', () => {
  it('accepts a produce and an end from the client', () => {
    expect(parseClientMessage(JSON.stringify(produce)).ok).toBe(true);
    const end = { type: 'capture/end', id: 2, requestId: 'r1', reason: 'denied' };
    expect(parseClientMessage(JSON.stringify(end))).toEqual({ ok: true, value: end });
  });

  it('refuses bad values with typed errors and keeps the request id', () => {
    for (const bad of [
      { ...produce, kind: 'screen' },
      { ...produce, requestId: '' },
      { ...produce, requestId: 'x'.repeat(65) },
      { ...produce, rtpParameters: 'vp8' },
      { type: 'capture/end', id: 3, requestId: 'r1', reason: 'tired' },
      { type: 'capture/end', id: 3, reason: 'denied' },
    ]) {
      const r = parseClientMessage(JSON.stringify(bad));
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
      if (!r.ok) expect(r.requestId).toBe(bad.id);
    }
  });

  it('refuses an oversized produce before parsing it', () => {
    const big = { ...produce, rtpParameters: { pad: 'x'.repeat(MAX_SIGNALING_MESSAGE_BYTES) } };
    const r = parseClientMessage(JSON.stringify(big));
    expect(r).toMatchObject({ ok: false, requestId: 1, error: { code: 'too-large' } });
  });

  it('reads the server’s request and stop', () => {
    const request = { type: 'capture/request', requestId: 'r1', audio: true, video: false };
    expect(parseServerMessage(JSON.stringify(request))).toEqual({ ok: true, value: request });
    const stop = { type: 'capture/stop', requestId: 'r1' };
    expect(parseServerMessage(JSON.stringify(stop))).toEqual({ ok: true, value: stop });
    expect(parseServerMessage(JSON.stringify({ ...request, audio: 'yes' })).ok).toBe(false);
  });
});
