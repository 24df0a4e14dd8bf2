import { EventEmitter } from 'node:events';
import type { BrowserContext, CDPSession } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { moduleLogger } from '../logger.js';
import { AppCapture } from './AppCapture.js';
import { CAPTURE_BINDING } from './captureShim.js';

/** The CDP session as AppCapture uses it: events in, commands out (each answered at once, or when told). */
class FakeCdp extends EventEmitter {
  readonly sent: [string, Record<string, unknown>][] = [];
  hold = false;
  readonly #held: (() => void)[] = [];
  async send(method: string, params: Record<string, unknown> = {}) {
    this.sent.push([method, params]);
    if (this.hold) await new Promise<void>((r) => this.#held.push(r));
  }
  release() {
    for (const r of this.#held.splice(0)) r();
  }
  calls() {
    return this.sent.filter(([m]) => m === 'Runtime.evaluate').map(([, p]) => String(p.expression));
  }
}

async function setup() {
  const cdp = new FakeCdp();
  const scripts: string[] = [];
  const context = { addInitScript: async (s: string) => void scripts.push(s) } as unknown as BrowserContext;
  const capture = await AppCapture.install(context, cdp as unknown as CDPSession, moduleLogger('test'));
  const seen: unknown[] = [];
  capture.events.on('request', (n, want) => seen.push(['request', n, want]));
  capture.events.on('stop', (n) => seen.push(['stop', n]));
  const page = (payload: string) => cdp.emit('Runtime.bindingCalled', { name: CAPTURE_BINDING, payload });
  return { cdp, scripts, capture, seen, page };
}

describe('AppCapture', () => {
  it('installs the shim and its binding', async () => {
    const { cdp, scripts } = await setup();
    expect(scripts[0]).toContain('getUserMedia');
    expect(cdp.sent[0]).toEqual(['Runtime.addBinding', { name: CAPTURE_BINDING }]);
  });

  it('reports the page’s requests and stops, and nothing that is not the shim’s', async () => {
    const { cdp, seen, page } = await setup();
    for (const bad of [
      'nonsense',
      '{"t":"request","n":1,"audio":"yes","video":true}',
      '{"t":"request","n":-1,"audio":true,"video":true}',
      '{"t":"request","n":1.5,"audio":true,"video":true}',
      '{"t":"explode","n":1}',
      JSON.stringify({ t: 'stop', n: 1, pad: 'x'.repeat(300) }),
    ])
      page(bad);
    cdp.emit('Runtime.bindingCalled', { name: 'somethingElse', payload: '{"t":"stop","n":1}' });
    expect(seen).toEqual([]);
    page('{"t":"request","n":1,"audio":true,"video":false}');
    page('{"t":"stop","n":1}');
    page('{"t":"request","n":2,"audio":false,"video":true}');
    expect(seen).toEqual([
      ['request', 1, { audio: true, video: false }],
      ['stop', 1],
      ['request', 2, { audio: false, video: true }],
    ]);
    // The page goes (a reload): its open request stops.
    cdp.emit('Runtime.executionContextsCleared');
    expect(seen.at(-1)).toEqual(['stop', 2]);
  });

  it('keeps one picture in flight, the newest waiting; refusals are quoted', async () => {
    const { cdp, capture } = await setup();
    cdp.hold = true;
    for (const b of ['a', 'b', 'c']) capture.videoFrame(1, Buffer.from(b));
    expect(cdp.calls()).toEqual([
      `globalThis.__offloadCaptureHook?.frame(1, "${Buffer.from('a').toString('base64')}")`,
    ]);
    cdp.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(cdp.calls().at(-1)).toContain(Buffer.from('c').toString('base64'));
    expect(cdp.calls()).toHaveLength(2);
    cdp.hold = false;
    cdp.release();
    capture.refuse(3, 'NotAllowedError', 'it said "no"');
    expect(cdp.calls().at(-1)).toBe(
      'globalThis.__offloadCaptureHook?.refuse(3, "NotAllowedError", "it said \\"no\\"")',
    );
  });
});
