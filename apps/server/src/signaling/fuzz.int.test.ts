import {
  ERROR_CODES,
  MAX_INPUT_MESSAGE_BYTES,
  MAX_SIGNALING_MESSAGE_BYTES,
  Requests,
  type ServerMessage,
  utf8Length,
} from '@offload/protocol';
import { TestSocket } from '@offload/testkit/socket';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import type { Session } from '../session/Session.js';
import { startTestServer } from '../test/startTestServer.js';

/**
 * Fuzzing signaling and input against a real server with a streaming session: thousands of
 * generated messages (garbage, truncated JSON, wrong shapes, every request type with mutated
 * fields, oversized and binary frames, out-of-order requests, input with out-of-range values,
 * prototype-pollution keys) over the WebSocket and into the data-channel input path. Every
 * request gets exactly one typed reply, nothing crashes, and the session stays usable.
 *
 * Reproduce a failure with FUZZ_SEED=<seed printed below>; FUZZ_RUNS sets the message count.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const KNOWN_CODES = new Set<string>(ERROR_CODES);
const REQUEST_TYPES = Object.keys(Requests);

/** Values that break naive code: wrong types, extremes, huge strings, deep nesting, special keys. */
const nasty = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(
      null,
      true,
      0,
      -1,
      -0.5,
      1e308,
      -1e308,
      2 ** 53 + 2,
      '',
      ' ',
      '\u0000',
      '\ud800',
      'nope',
      [],
      {},
      'constructor',
      '__proto__',
      'toString',
      'send',
      'recv',
    ),
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.constant('x'.repeat(MAX_SIGNALING_MESSAGE_BYTES - 200)),
    fc.integer({ min: 1, max: 3000 }).map((n) => JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`)),
    fc.integer({ min: 1, max: 300 }).map((n) => {
      let v: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) v = { a: v };
      return v;
    }),
    fc.jsonValue({ maxDepth: 3 }),
    fc.constant(JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}')),
  );

/** A realistic value for a field, now and then: lets a mutated request get past validation. */
function fieldValue(name: string, ctx: { sessionId: string; ids: string[] }): fc.Arbitrary<unknown> {
  const real: Record<string, fc.Arbitrary<unknown>> = {
    sessionId: fc.constantFrom(ctx.sessionId, 'no-such-session'),
    transportId: fc.constantFrom(...ctx.ids, 'nope'),
    consumerId: fc.constantFrom(...ctx.ids, 'nope'),
    direction: fc.constantFrom('send', 'recv'),
    protocolVersion: fc.constantFrom(2, 1, 3),
    label: fc.constantFrom('input', 'input-fast', 'control', ''),
    dtlsParameters: fc.constant({ role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AA:BB' }] }),
    rtpCapabilities: fc.constant({ codecs: [{ kind: 'video', mimeType: 'video/H264', clockRate: 90000 }] }),
    sctpStreamParameters: fc.constant({ streamId: 1, ordered: true }),
  };
  return Object.hasOwn(real, name)
    ? fc.oneof({ weight: 3, arbitrary: real[name]! }, { weight: 1, arbitrary: nasty() })
    : nasty();
}

const FIELDS = [
  'sessionId',
  'transportId',
  'consumerId',
  'direction',
  'protocolVersion',
  'client',
  'profile',
  'dtlsParameters',
  'rtpCapabilities',
  'sctpStreamParameters',
  'label',
  'protocol',
  '__proto__',
  'constructor',
];

/** A valid-looking input event, then with fields mutated to out-of-range or wrong values. */
const inputEvent = (): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      type: fc.constantFrom('pointer', 'touch', 'wheel', 'key', 'text', 'ping', 'bogus'),
      seq: fc.oneof(fc.nat(), fc.constantFrom(-1, 1.5, 2 ** 60, Number.MAX_SAFE_INTEGER)),
      ts: fc.oneof(fc.double({ min: 0, max: 2e12, noNaN: true }), fc.constantFrom(-5, 1e300)),
      action: fc.constantFrom('down', 'move', 'up', 'cancel', 'start', 'end', 'sideways'),
      x: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(-1, 2, 1e9, -1e9)),
      y: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(-1, 2, 1e9)),
      dx: fc.double({ min: -20_000, max: 20_000, noNaN: true }),
      dy: fc.double({ min: -20_000, max: 20_000, noNaN: true }),
      button: fc.integer({ min: -2, max: 8 }),
      buttons: fc.integer({ min: -2, max: 40 }),
      modifiers: fc.integer({ min: -1, max: 20 }),
      code: fc.constantFrom('KeyA', 'Enter', 'Backspace', 'x'.repeat(40), 'NoSuchKey'),
      key: fc.constantFrom('a', 'Enter', 'é', '', 'x'.repeat(40)),
      text: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('y'.repeat(1100))),
      touches: fc.array(
        fc.record({
          id: fc.integer({ min: -1, max: 2_000_000 }),
          x: fc.double({ min: -0.5, max: 1.5, noNaN: true }),
          y: fc.double({ min: -0.5, max: 1.5, noNaN: true }),
        }),
        { maxLength: 12 },
      ),
      id: fc.integer({ min: -1, max: 100 }),
      t0: fc.double({ min: -1, max: 2e12, noNaN: true }),
    })
    .chain((e) =>
      fc.oneof(
        fc.constant(e),
        fc.record({ k: fc.constantFrom(...Object.keys(e), '__proto__'), v: nasty() }).map(({ k, v }) => ({
          ...e,
          [k]: v,
        })),
      ),
    );

type Frame = { text?: string; binary?: Buffer; id?: string | number };

/** One fuzz frame for the WebSocket. `id` is set when the frame carries a request id the server can find. */
function frames(ctx: { sessionId: string; ids: string[] }): fc.Arbitrary<Frame> {
  let next = 0;
  const withId = (m: Record<string, unknown>, idFirst: boolean): Frame => {
    const n = next++;
    const id = n % 2 ? `f${n}` : n + 1_000_000;
    const text = JSON.stringify(idFirst ? { id, ...m } : { ...m, id });
    return { text, id };
  };
  // A request of any type: its own fields, each realistic or nasty, some left out, and now and
  // then a field that belongs elsewhere.
  const request = fc
    .record({
      type: fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom(...REQUEST_TYPES) },
        { weight: 1, arbitrary: fc.constantFrom('session/teleport', '', 'hello ', 'HELLO', '__proto__') },
      ),
      extra: fc.uniqueArray(fc.constantFrom(...FIELDS), { maxLength: 2 }),
      keep: fc.array(
        fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        {
          minLength: 8,
          maxLength: 8,
        },
      ),
    })
    .chain(({ type, extra, keep }) => {
      const own = Object.hasOwn(Requests, type)
        ? Object.keys(Requests[type as keyof typeof Requests].message.shape).filter(
            (k) => k !== 'type' && k !== 'id',
          )
        : [];
      const fields = [...new Set([...own.filter((_, i) => keep[i]), ...extra])];
      return fc
        .tuple(...fields.map((f) => (own.includes(f) ? fieldValue(f, ctx) : nasty())))
        .map((vals) => Object.fromEntries([['type', type], ...fields.map((f, i) => [f, vals[i]])]));
    });
  return fc.oneof(
    // Requests of every type with mutated fields, id first or last.
    { weight: 6, arbitrary: fc.tuple(request, fc.boolean()).map(([m, first]) => withId(m, first)) },
    // Requests with a bad id of their own: answered by an error, not tracked.
    {
      weight: 1,
      arbitrary: fc.tuple(request, nasty()).map(([m, id]) => ({ text: JSON.stringify({ ...m, id }) })),
    },
    // Input over the WebSocket fallback.
    {
      weight: 3,
      arbitrary: inputEvent().map((event) => ({ text: JSON.stringify({ type: 'input', event }) })),
    },
    // Latency reports with odd samples.
    {
      weight: 1,
      arbitrary: fc
        .array(nasty(), { maxLength: 5 })
        .map((samples) => ({ text: JSON.stringify({ type: 'latency/report', samples }) })),
    },
    // Garbage, truncated JSON, JSON of the wrong shape.
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({ text })) },
    {
      weight: 2,
      arbitrary: fc.tuple(request, fc.double({ min: 0, max: 1, noNaN: true })).map(([m, f]) => {
        const t = JSON.stringify(m);
        return { text: t.slice(0, Math.floor(t.length * f)) };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ text: JSON.stringify(v) ?? 'null' })),
    },
    // Just above the size limit (the id up front is still found) and a few times over.
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...REQUEST_TYPES),
          fc.integer({ min: 1, max: 4 * MAX_SIGNALING_MESSAGE_BYTES }),
        )
        .map(([type, extra]) =>
          withId({ type, client: 'z'.repeat(MAX_SIGNALING_MESSAGE_BYTES + extra) }, true),
        ),
    },
    // Binary frames.
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => ({ binary: Buffer.from(b) })) },
  );
}

/** What the data channel carries, straight into the viewer's InputGate. */
const dataChannelMessages = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 5, arbitrary: inputEvent().map((e) => JSON.stringify(e)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? '') },
    {
      weight: 1,
      arbitrary: fc.constant(
        `{"type":"text","seq":1,"ts":1,"text":"${'w'.repeat(MAX_INPUT_MESSAGE_BYTES)}"}`,
      ),
    },
  );

const responses = (s: TestSocket) =>
  s.messages.filter((m): m is Extract<ServerMessage, { type: 'response' }> => m.type === 'response');

describe('signaling fuzz', () => {
  let server: Offload;
  let sessionId: string;
  let session: Session;
  let owner: TestSocket;
  const ids: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ OFFLOAD_MAX_SESSIONS: '2', OFFLOAD_INPUT_RATE: '1000' });
    owner = await TestSocket.hello(server.port);
    sessionId = await owner.createSession();
    session = server.sessions.get(sessionId);
    // The owner streams: a receive transport with a resumed consumer, a send transport with an input channel.
    const join = await owner.request('session/join', { sessionId });
    const caps = join.ok ? (join.data as { routerRtpCapabilities: unknown }).routerRtpCapabilities : {};
    const recv = await owner.request('transport/create', { direction: 'recv' });
    const send = await owner.request('transport/create', { direction: 'send' });
    const consume = await owner.request('media/consume', { rtpCapabilities: caps });
    const consumerId = consume.ok
      ? (consume.data as { consumers: { consumerId: string }[] }).consumers[0]!.consumerId
      : '';
    expect((await owner.request('media/resume', { consumerId })).ok).toBe(true);
    for (const r of [recv, send]) if (r.ok) ids.push((r.data as { transportId: string }).transportId);
    ids.push(consumerId);
  });

  afterAll(async () => {
    owner?.close();
    await server?.close();
  });

  it(`answers thousands of malformed, oversized and out-of-order messages with typed errors (seed ${SEED})`, async () => {
    console.log(`signaling fuzz: seed ${SEED}, ${RUNS} frames (FUZZ_SEED=${SEED} reproduces)`);
    const heapBefore = process.memoryUsage().heapUsed;
    const generated = fc.sample(frames({ sessionId, ids }), { seed: SEED, numRuns: RUNS });
    const dc = fc.sample(dataChannelMessages(), { seed: SEED + 1, numRuns: RUNS });
    // Three fuzzing clients: one joined first, one never says hello, one says hello only.
    const joined = await TestSocket.hello(server.port);
    await joined.request('session/join', { sessionId });
    const clients = [joined, await TestSocket.open(server.port), await TestSocket.hello(server.port)];
    const expected = clients.map(() => new Set<string | number>());
    const viewer = [...session.viewers.values()][0]!;

    for (let i = 0; i < generated.length; i++) {
      const f = generated[i]!;
      const c = i % clients.length;
      if (f.binary) clients[c]!.send(f.binary);
      else {
        clients[c]!.send(f.text!);
        // A request id the server can find: within the size limit, or near the start.
        const findable = utf8Length(f.text!) <= MAX_SIGNALING_MESSAGE_BYTES || f.text!.indexOf('"id"') < 200;
        if (f.id !== undefined && findable) expected[c]!.add(f.id);
      }
      // The data-channel path: what the owner's input channels would deliver.
      expect(() => viewer.input.handleMessage(dc[i]!)).not.toThrow();
      // Paced near the signaling limit (200/s per client): some get "rate-limited", all get answers.
      if (i % 60 === 59) await new Promise((r) => setTimeout(r, 100));
    }

    // Then one client floods past the signaling limit: the excess is refused, each request still answered.
    const burst = generated.filter((f) => f.id !== undefined && f.text && f.text.length < 2000).slice(0, 800);
    for (const f of burst) {
      // The id up front, as clients send it: a refused request is answered without parsing it.
      const id = `b-${String(f.id)}`;
      const { id: _old, ...rest } = JSON.parse(f.text!) as Record<string, unknown>;
      clients[2]!.send(JSON.stringify({ id, ...rest }));
      expected[2]!.add(id);
    }

    for (const [c, client] of clients.entries()) {
      const want = expected[c]!;
      await expect
        .poll(() => [...want].filter((id) => !responses(client).some((m) => m.id === id)).length, {
          timeout: 30_000,
          message: `seed ${SEED}: client ${c} has unanswered requests`,
        })
        .toBe(0);
    }
    await new Promise((r) => setTimeout(r, 500));
    for (const [c, client] of clients.entries()) {
      const counts = new Map<unknown, number>();
      for (const m of responses(client)) counts.set(m.id, (counts.get(m.id) ?? 0) + 1);
      const dupes = [...counts].filter(([id, n]) => n > 1 && expected[c]!.has(id as string | number));
      expect(dupes, `seed ${SEED}: requests answered twice`).toEqual([]);
      const codes = client.messages.flatMap((m) =>
        m.type === 'error' || (m.type === 'response' && !m.ok) ? [m.error.code] : [],
      );
      expect(
        codes.filter((code) => !KNOWN_CODES.has(code)),
        `seed ${SEED}`,
      ).toEqual([]);
      expect(
        codes.filter((code) => code === 'internal'),
        `seed ${SEED}: internal errors`,
      ).toEqual([]);
    }

    const tally: Record<string, number> = {};
    for (const m of clients.flatMap((c) => c.messages)) {
      const k =
        m.type === 'response'
          ? m.ok
            ? 'ok'
            : m.error.code
          : m.type === 'error'
            ? `error:${m.error.code}`
            : m.type;
      tally[k] = (tally[k] ?? 0) + 1;
    }
    console.log(
      `signaling fuzz replies: ${JSON.stringify(tally)}; input gate: ${JSON.stringify(viewer.input.counts)}`,
    );

    // Nothing polluted, nothing leaked beyond reason, the session still streams and takes input.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(300 * 1024 * 1024);
    expect(server.sessions.get(sessionId).state).toBe('running');
    for (const c of clients) c.close();
    const fresh = await TestSocket.hello(server.port);
    expect((await fresh.request('session/join', { sessionId })).ok).toBe(true);
    // Only the participant in control is injected: the owner (first to join) hands it over.
    const freshId = [...session.viewers.keys()].at(-1)!;
    expect((await owner.request('control/grant', { viewerId: freshId })).ok).toBe(true);
    // The app is there (it may just have been loaded again after a fuzzed "back" button).
    let before = -1;
    await expect
      .poll(async () => {
        before =
          ((await session.runtime.appState().catch(() => null)) as { count: number } | null)?.count ?? -1;
        return before;
      })
      .toBeGreaterThanOrEqual(0);
    fresh.send(
      JSON.stringify({
        type: 'input',
        event: { type: 'touch', seq: 1, ts: 1, action: 'start', touches: [{ id: 1, x: 0.5, y: 0.25 }] },
      }),
    );
    fresh.send(
      JSON.stringify({ type: 'input', event: { type: 'touch', seq: 2, ts: 2, action: 'end', touches: [] } }),
    );
    await expect
      .poll(async () => ((await session.runtime.appState()) as { count: number }).count)
      .toBeGreaterThan(before);
    const sources = await session.videoSources();
    const frames0 = sources[0]!.stats.frames;
    await expect.poll(() => sources[0]!.stats.frames, { timeout: 5000 }).toBeGreaterThan(frames0);
    fresh.close();
  }, 240_000);

  // Regressions: bugs the fuzzer found, each pinned down deterministically.
  it('answers a request refused by the rate limit with a response, and a flood of other messages with one error a second', async () => {
    const s = await TestSocket.hello(server.port);
    for (let i = 0; i < 1000; i++) s.send(JSON.stringify({ type: 'session/leave', id: `r${i}` }));
    for (let i = 0; i < 1000; i++) s.send(JSON.stringify({ type: 'latency/report', samples: [] }));
    // Was: refused requests got a bare "error" and their senders waited forever.
    await expect.poll(() => responses(s).filter((m) => String(m.id).startsWith('r')).length).toBe(1000);
    expect(responses(s).filter((m) => !m.ok && m.error.code === 'rate-limited').length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    // Was one "rate-limited" error per refused message: the flood echoed back.
    expect(s.errors().filter((c) => c === 'rate-limited').length).toBeLessThanOrEqual(2);
    s.close();
  });

  it('answers data/consume typed when the viewer leaves while its report channel is being made', async () => {
    for (let i = 0; i < 5; i++) {
      const s = await TestSocket.hello(server.port);
      await s.request('session/join', { sessionId });
      await s.request('transport/create', { direction: 'recv' });
      // Same TCP read: the leave lands while data/consume awaits the worker.
      s.send(`${JSON.stringify({ type: 'data/consume', id: 'dc' })}`);
      s.send(JSON.stringify({ type: 'session/leave', id: 'leave' }));
      const r = await s.waitFor((m) => m.type === 'response' && m.id === 'dc');
      // Was "internal" (mediasoup: DataProducer not found).
      expect(String(r.type === 'response' && (r.ok || r.error.code))).toMatch(
        /^(true|session-closed|not-joined)$/,
      );
      s.close();
    }
  });

  it('keeps the app when a mouse "back" button would navigate it away', async () => {
    const s = await TestSocket.hello(server.port);
    await s.request('session/join', { sessionId });
    for (const action of ['down', 'up']) {
      s.send(
        JSON.stringify({
          type: 'input',
          event: { type: 'pointer', seq: 1, ts: 1, action, x: 0.5, y: 0.6, button: 3 },
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1500));
    // Was: the page went back to about:blank and the app (state null) was gone for good.
    await expect.poll(() => session.runtime.appState().catch(() => null), { timeout: 20_000 }).not.toBeNull();
    s.close();
  });

  it('drops a frame far above any valid size by closing that socket only', async () => {
    const s = await TestSocket.hello(server.port);
    const closed = new Promise<number>((r) => s.ws.once('close', (code) => r(code)));
    s.send(JSON.stringify({ type: 'hello', id: 1, client: 'q'.repeat(MAX_SIGNALING_MESSAGE_BYTES * 70) }));
    expect(await closed).toBe(1009);
    const other = await TestSocket.hello(server.port);
    const joined = await other.request('session/join', { sessionId });
    // The server still answers: a join, or (when the sockets the fuzzers dropped still hold
    // their places for the resume grace, up to the viewer limit) the typed at-capacity.
    if (!joined.ok) expect(joined.error.code, JSON.stringify(joined.error)).toBe('at-capacity');
    other.close();
  });
});
