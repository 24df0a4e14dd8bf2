import { OffloadError } from '@offload/protocol';
import { describe, expect, it } from 'vitest';
import { hostSignalingUrl, SessionHost } from './SessionHost';

describe('hostSignalingUrl', () => {
  it("turns a node's public URL into its signaling URL, keeping the token or taking the host's", () => {
    expect(hostSignalingUrl('ws://a:8080/ws', 'http://b:8081/')).toBe('ws://b:8081/ws');
    expect(hostSignalingUrl('ws://a:8080/ws?token=t1', 'http://b:8081/')).toBe('ws://b:8081/ws?token=t1');
    expect(hostSignalingUrl('ws://a/ws?token=t1', 'http://b/', 't2')).toBe('ws://b/ws?token=t2');
    expect(hostSignalingUrl('wss://a/ws', 'https://b.example/')).toBe('wss://b.example/ws');
    expect(hostSignalingUrl('ws://a/ws', 'http://[::1]:9000/')).toBe('ws://[::1]:9000/ws');
  });

  it('refuses anything but a plain origin, and a downgrade from wss', () => {
    for (const bad of [
      'http://b/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'not a url',
      'https://user:pw@b/',
      'https://b/other/path',
      'https://b/?x=1',
      'wss://b/',
    ]) {
      expect(() => hostSignalingUrl('wss://a/ws', bad), bad).toThrow(
        expect.objectContaining({ code: 'server-not-allowed' }),
      );
    }
  });
});

describe('SessionHost', () => {
  it('follows a session-elsewhere answer once, on a new socket', async () => {
    let drops = 0;
    const host = new SessionHost(
      () => 'ws://a:1/ws',
      () => drops++,
    );
    const urls: string[] = [];
    const joined = await host.join('s1', async () => {
      urls.push(host.url());
      if (urls.length === 1) throw OffloadError.sessionElsewhere('s1', 'http://b:2/');
      return 'joined';
    });
    expect(joined).toBe('joined');
    expect(urls).toEqual(['ws://a:1/ws', 'ws://b:2/ws']);
    expect(drops).toBe(1);
    // A second session-elsewhere is an error, not a loop.
    await expect(
      host.join('s1', async () => {
        throw OffloadError.sessionElsewhere('s1', 'http://c:3/');
      }),
    ).rejects.toMatchObject({ code: 'session-elsewhere' });
  });

  it('joins a placed session on its node, and another session back on the configured server', async () => {
    let drops = 0;
    const host = new SessionHost(
      () => 'ws://a:1/ws?token=creator',
      () => drops++,
    );
    host.placed('s1', 'http://b:2/', 'for-s1');
    expect(drops).toBe(1);
    expect(await host.join('s1', async () => host.url())).toBe('ws://b:2/ws?token=for-s1');
    expect(drops).toBe(1);
    expect(await host.join('s2', async () => host.url())).toBe('ws://a:1/ws?token=creator');
    expect(drops).toBe(2);
  });
});
