import type { JoinedData } from '@offload/protocol';
import { describe, expect, it } from 'vitest';
import { ClientError } from '../ClientError';
import type { SignalingClient } from '../signaling/SignalingClient';
import { Roles } from './Roles';

const joinedAs = (role: 'controller' | 'viewer', controllerId: string | null) =>
  ({ role, canControl: true, controllerId, controllerName: controllerId ? 'Ann' : undefined }) as JoinedData;

function setup({ joined = true, fail = false } = {}) {
  const sent: unknown[] = [];
  const signaling = {
    request: async (type: string, payload: unknown) => {
      sent.push({ type, ...(payload as object) });
      if (fail) throw new ClientError('not-controller', 'no');
      return {};
    },
  } as unknown as SignalingClient;
  const roles = new Roles({ signaling: () => signaling, joined: () => joined });
  const events: unknown[] = [];
  roles.on('role', (r) => events.push(r));
  roles.on('control-requested', (f) => events.push({ asks: f.viewerId }));
  roles.on('warning', (e) => events.push({ warning: e.code }));
  return { roles, sent, events };
}

describe('Roles', () => {
  it('takes the role from the join and follows control as it moves', () => {
    const { roles, events } = setup();
    expect(roles.role).toBeNull();
    expect(roles.mayInput).toBe(true);
    roles.joined(joinedAs('viewer', 'ann'));
    expect(roles.role).toEqual({
      inControl: false,
      canControl: true,
      controllerId: 'ann',
      controllerName: 'Ann',
    });
    expect(roles.mayInput).toBe(false);
    roles.changed('me', { controllerId: 'me' });
    expect(roles.role).toMatchObject({ inControl: true, controllerId: 'me' });
    expect(roles.mayInput).toBe(true);
    roles.clear();
    expect(roles.role).toBeNull();
    expect(events).toHaveLength(3);
  });

  it('ignores control changes while not joined, and passes requests on only to the controller', () => {
    const { roles, events } = setup();
    roles.changed('me', { controllerId: 'me' });
    expect(roles.role).toBeNull();
    roles.joined(joinedAs('viewer', 'ann'));
    roles.requested({ viewerId: 'bo' });
    roles.changed('me', { controllerId: 'me' });
    roles.requested({ viewerId: 'bo' });
    expect(events.filter((e) => (e as { asks?: string }).asks)).toEqual([{ asks: 'bo' }]);
  });

  it('sends the control requests; a refusal is a warning and a rejection', async () => {
    const { roles, sent } = setup();
    await roles.requestControl();
    await roles.takeControl();
    await roles.grantControl('bo');
    await roles.releaseControl();
    expect(sent).toEqual([
      { type: 'control/request' },
      { type: 'control/take' },
      { type: 'control/grant', viewerId: 'bo' },
      { type: 'control/release' },
    ]);
    const refused = setup({ fail: true });
    await expect(refused.roles.takeControl()).rejects.toMatchObject({ code: 'not-controller' });
    expect(refused.events).toEqual([{ warning: 'not-controller' }]);
  });

  it('refuses requests before a join', async () => {
    const { roles, sent } = setup({ joined: false });
    await expect(roles.requestControl()).rejects.toMatchObject({ code: 'not-joined' });
    expect(sent).toEqual([]);
  });
});
