import { describe, expect, it } from 'vitest';
import { parseSenderLine, senderCommandLine } from './senderProtocol.js';

describe('sender protocol', () => {
  it('reads what the sender says', () => {
    expect(parseSenderLine('{"event":"ready","rtpPort":40000,"rtcpPort":40001}')).toEqual({
      ok: true,
      event: { event: 'ready', rtpPort: 40000, rtcpPort: 40001 },
    });
    const stats = parseSenderLine(
      JSON.stringify({
        event: 'stats',
        frames: 30,
        bytes: 1e5,
        keyframesRequested: 1,
        layers: [{ frames: 30, bytes: 1e5, keyframesRequested: 1 }],
        captured: 31,
      }),
    );
    expect(stats.ok && stats.event.event === 'stats' && stats.event.layers[0]?.frames).toBe(30);
    expect(parseSenderLine('{"event":"marker","value":7,"capturedAt":12.5,"encodedAt":20.25}').ok).toBe(true);
    expect(parseSenderLine('{"event":"prepared","rtpPort":40002,"rtcpPort":40003}')).toEqual({
      ok: true,
      event: { event: 'prepared', rtpPort: 40002, rtcpPort: 40003 },
    });
  });

  it('refuses lines that are not what the sender says, instead of reading half of them', () => {
    for (const line of [
      'GStreamer-WARNING: something',
      '[1, 2]',
      '{"event":"stats","frames":"30","bytes":0,"keyframesRequested":0,"layers":[]}',
      '{"event":"marker","value":-1,"capturedAt":1,"encodedAt":2}',
      '{"event":"marker","value":3}',
      '{"event":"nonsense"}',
      '{"event":"error"}',
      // A prepared sender says where it will send from: the transport connects to those ports.
      '{"event":"prepared"}',
    ])
      expect(parseSenderLine(line).ok, line).toBe(false);
  });

  it('writes commands as one JSON line, and refuses a malformed one', () => {
    expect(senderCommandLine({ cmd: 'expect', marker: 12 })).toBe('{"cmd":"expect","marker":12}\n');
    expect(senderCommandLine({ cmd: 'layers', active: [0] })).toBe('{"cmd":"layers","active":[0]}\n');
    expect(() => senderCommandLine({ cmd: 'bitrate', kbps: -5 })).toThrow();
    expect(senderCommandLine({ cmd: 'connect', rtpPort: 40000, rtcpPort: 40001 })).toBe(
      '{"cmd":"connect","rtpPort":40000,"rtcpPort":40001}\n',
    );
    expect(() => senderCommandLine({ cmd: 'connect', rtpPort: 0, rtcpPort: 40001 })).toThrow();
  });
});
