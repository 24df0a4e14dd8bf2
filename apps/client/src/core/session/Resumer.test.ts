import { describe, expect, it } from 'vitest';
import { ClientError } from '../ClientError';
import type { SignalingClient } from '../signaling/SignalingClient';
import { Attempts } from './Attempt';
import { type Resumed, Resumer } from './Resumer';

/** A socket whose `session/resume` answers with `answer` (a thrown error becomes a rejection). */
function setup(
  answer: (payload: { sessionId: string; resumeToken: string }) => Partial<Resumed>,
  reconnectForMs = 1000,
) {
  const log: string[] = [];
  const signaling = {
    request: async (type: string, payload: { sessionId: string; resumeToken: string }) => {
      log.push(`${type} ${payload.resumeToken}`);
      return answer(payload);
    },
  } as unknown as SignalingClient;
  const resumer = new Resumer({
    reconnectForMs,
    firstDelayMs: 1,
    signaling: () => signaling,
    connect: async () => {
      log.push('connect');
    },
    dropSocket: () => log.push('drop'),
  });
  const attempts = new Attempts(() => false);
  return { resumer, attempts, log };
}

describe('Resumer', () => {
  it('resumes on a new socket, hands the answer to set-up and remembers the new token', async () => {
    const { resumer, attempts, log } = setup((p) => ({
      sessionId: p.sessionId,
      resumeToken: 'token-2',
      fresh: false,
    }));
    resumer.remember('sess-1', 'token-1');
    const setUp: Resumed[] = [];
    await resumer.run(attempts.next(), false, {
      setUp: async (r) => {
        setUp.push(r);
      },
      giveUp: () => expect.unreachable(),
    });
    expect(log).toEqual(['connect', 'session/resume token-1']);
    expect(setUp).toMatchObject([{ sessionId: 'sess-1', resumeToken: 'token-2', fresh: false }]);
    expect(resumer.resumes).toBe(1);
    // The next resume uses the new token, on the socket that is there.
    await resumer.run(attempts.next(), true, { setUp: async () => {}, giveUp: () => expect.unreachable() });
    expect(log.at(-1)).toBe('session/resume token-2');
    expect(log.filter((l) => l === 'connect')).toHaveLength(1);
  });

  it('retries on a new socket after a failed try, then gives up and forgets the place on a final error', async () => {
    let tries = 0;
    const { resumer, attempts, log } = setup((p) => {
      tries++;
      if (tries === 1) throw ClientError.timeout('session/resume', 1);
      if (tries === 2) throw new ClientError('not-allowed', 'token expired');
      return { sessionId: p.sessionId, resumeToken: 'x', fresh: true };
    });
    resumer.remember('sess-1', 'token-1');
    const gaveUp: string[] = [];
    await resumer.run(attempts.next(), true, {
      setUp: async () => expect.unreachable(),
      giveUp: (error) => gaveUp.push(error.code),
    });
    expect(log).toEqual(['session/resume token-1', 'drop', 'connect', 'session/resume token-1']);
    expect(gaveUp).toEqual(['not-allowed']);
    expect(resumer.canResume).toBe(false);
  });

  it('stops without giving up once its attempt is superseded', async () => {
    const { resumer, attempts } = setup(() => {
      throw ClientError.connectionLost();
    });
    resumer.remember('sess-1', 'token-1');
    const attempt = attempts.next();
    const done = resumer.run(attempt, true, {
      setUp: async () => expect.unreachable(),
      giveUp: () => expect.unreachable(),
    });
    attempts.supersede();
    await done;
    expect(resumer.canResume).toBe(true);
  });

  it('has nothing to resume after forget()', async () => {
    const { resumer, attempts } = setup(() => ({}), 20);
    resumer.remember('sess-1', 'token-1');
    resumer.forget();
    const gaveUp: string[] = [];
    await resumer.run(attempts.next(), true, {
      setUp: async () => expect.unreachable(),
      giveUp: (error) => gaveUp.push(error.code),
    });
    // connection-lost is not final: it retries until the deadline.
    expect(gaveUp).toEqual(['connection-lost']);
  });
});
