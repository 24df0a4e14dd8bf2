import { describe, expect, it } from 'vitest';
import { Control } from './Control.js';

function recorded(c: Control) {
  const changes: (string | null)[] = [];
  const requests: [string, string][] = [];
  c.events.on('changed', (id) => changes.push(id));
  c.events.on('requested', (to, from) => requests.push([to, from.id]));
  return { changes, requests };
}

const code = (fn: () => void) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'no error';
};

describe('Control', () => {
  it('gives control to the first eligible participant only', () => {
    const c = new Control();
    const { changes } = recorded(c);
    c.add({ id: 'v', eligible: false });
    expect(c.controllerId).toBeNull();
    c.add({ id: 'a', eligible: true, name: 'Ann' });
    c.add({ id: 'b', eligible: true });
    expect(c.controllerId).toBe('a');
    expect(c.controllerName).toBe('Ann');
    expect(changes).toEqual(['a']);
  });

  it('grants only from the controller and only to an eligible participant', () => {
    const c = new Control();
    c.add({ id: 'a', eligible: true });
    c.add({ id: 'b', eligible: true });
    c.add({ id: 'v', eligible: false });
    const { changes } = recorded(c);
    expect(code(() => c.grant('b', 'b'))).toBe('not-controller');
    expect(code(() => c.grant('a', 'v'))).toBe('not-allowed');
    expect(code(() => c.grant('a', 'nobody'))).toBe('not-allowed');
    c.grant('a', 'b');
    expect(c.isController('b')).toBe(true);
    expect(c.isController('a')).toBe(false);
    expect(changes).toEqual(['b']);
  });

  it('forwards requests to the controller, rate limited, and refuses viewers', () => {
    const c = new Control({ requestIntervalMs: 60_000 });
    c.add({ id: 'a', eligible: true });
    c.add({ id: 'b', eligible: true, name: 'Bo' });
    c.add({ id: 'v', eligible: false });
    const { requests } = recorded(c);
    c.request('b');
    expect(code(() => c.request('b'))).toBe('rate-limited');
    expect(code(() => c.request('v'))).toBe('not-allowed');
    expect(requests).toEqual([['a', 'b']]);
  });

  it('leaves control vacant when the controller leaves; then an eligible participant may take it', () => {
    const c = new Control();
    c.add({ id: 'a', eligible: true });
    c.add({ id: 'b', eligible: true });
    c.add({ id: 'v', eligible: false });
    const { changes } = recorded(c);
    expect(code(() => c.take('b'))).toBe('not-allowed');
    c.remove('a');
    expect(c.controllerId).toBeNull();
    expect(code(() => c.request('b'))).toBe('not-allowed');
    expect(code(() => c.take('v'))).toBe('not-allowed');
    c.take('b');
    expect(changes).toEqual([null, 'b']);
    c.release('b');
    expect(c.controllerId).toBeNull();
    expect(code(() => c.release('b'))).toBe('not-controller');
  });
});
