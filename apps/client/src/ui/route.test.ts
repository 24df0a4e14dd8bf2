import { describe, expect, it } from 'vitest';
import { latencyMonitorEnabled, parseRoute, sessionUrl, shareUrl } from './route';

describe('parseRoute', () => {
  it('reads session, embed and autoconnect', () => {
    expect(parseRoute('')).toEqual({ sessionId: null, embed: false, autoConnect: true });
    expect(parseRoute('?session=abc&embed=1')).toEqual({ sessionId: 'abc', embed: true, autoConnect: true });
    expect(parseRoute('?session=%20&embed=0')).toEqual({ sessionId: null, embed: false, autoConnect: true });
    expect(parseRoute('?session=abc&embed=1&autoconnect=0')).toMatchObject({ autoConnect: false });
  });
});

describe('sessionUrl', () => {
  it('sets the session and keeps the other parameters', () => {
    expect(sessionUrl('s1', 'http://h/?server=127.0.0.1:8080&embed=1#x')).toBe(
      'http://h/?server=127.0.0.1:8080&embed=1&session=s1',
    );
  });
  it('drops the session for the start page', () => {
    expect(sessionUrl(null, 'http://h/app/?session=s1&server=a')).toBe('http://h/app/?server=a');
  });
});

describe('latencyMonitorEnabled', () => {
  it('is on unless ?latency=0', () => {
    expect(latencyMonitorEnabled('')).toBe(true);
    expect(latencyMonitorEnabled('?session=a&latency=1')).toBe(true);
    expect(latencyMonitorEnabled('?session=a&latency=0')).toBe(false);
    expect(latencyMonitorEnabled('?latency=off')).toBe(false);
  });
});

describe('shareUrl', () => {
  it("never shares the participant's own access token", () => {
    expect(shareUrl('s1', 'http://h/?session=s0&token=secret&server=127.0.0.1:8080')).toBe(
      'http://h/?session=s1&server=127.0.0.1:8080',
    );
  });
});
