import { describe, expect, it } from 'vitest';
import { parseSensorMessage } from './parse.js';
import { MAX_SENSOR_MESSAGE_BYTES } from './sensors.js';

const code = (text: string) => {
  const r = parseSensorMessage(text);
  return r.ok ? 'ok' : r.error.code;
};

describe('parseSensorMessage', () => {
  it('accepts a location, an orientation and a motion reading', () => {
    const location = { type: 'sensor', kind: 'location', latitude: 48.8566, longitude: 2.3522, accuracy: 12 };
    expect(parseSensorMessage(JSON.stringify(location))).toEqual({ ok: true, value: location });
    expect(code('{"type":"sensor","kind":"orientation","alpha":359.5,"beta":-45,"gamma":89}')).toBe('ok');
    const motion = {
      type: 'sensor',
      kind: 'motion',
      accelerationIncludingGravity: { x: 0.1, y: 9.7, z: 0.3 },
      rotationRate: { alpha: 10, beta: -5, gamma: 0 },
    };
    expect(code(JSON.stringify(motion))).toBe('ok');
    const pad = {
      type: 'sensor',
      kind: 'gamepad',
      index: 0,
      id: 'Pad',
      connected: true,
      buttons: [1, 0],
      axes: [-1, 0.5],
    };
    expect(code(JSON.stringify(pad))).toBe('ok');
  });

  it('refuses a gamepad past the standard limits: a fifth pad, a button over 1, an axis past ±1, too many buttons', () => {
    const pad = {
      type: 'sensor',
      kind: 'gamepad',
      index: 0,
      id: 'Pad',
      connected: true,
      buttons: [0],
      axes: [0],
    };
    expect(code(JSON.stringify({ ...pad, index: 4 }))).toBe('invalid-message');
    expect(code(JSON.stringify({ ...pad, buttons: [1.5] }))).toBe('invalid-message');
    expect(code(JSON.stringify({ ...pad, axes: [-2] }))).toBe('invalid-message');
    expect(code(JSON.stringify({ ...pad, buttons: Array(33).fill(0) }))).toBe('invalid-message');
  });

  it('refuses impossible values with a typed error: out of range, NaN (null in JSON), missing, unknown kind', () => {
    expect(code('{"type":"sensor","kind":"location","latitude":91,"longitude":0,"accuracy":5}')).toBe(
      'invalid-message',
    );
    expect(
      code(JSON.stringify({ type: 'sensor', kind: 'orientation', alpha: Number.NaN, beta: 0, gamma: 0 })),
    ).toBe('invalid-message');
    expect(code('{"type":"sensor","kind":"orientation","alpha":1e999,"beta":0,"gamma":0}')).toBe(
      'invalid-message',
    );
    expect(code('{"type":"sensor","kind":"motion"}')).toBe('invalid-message');
    expect(code('{"type":"sensor","kind":"barometer","hPa":1013}')).toBe('invalid-message');
    expect(code('not json')).toBe('bad-json');
  });

  it('refuses an oversized message before parsing it', () => {
    const big = JSON.stringify({
      type: 'sensor',
      kind: 'location',
      latitude: 0,
      longitude: 0,
      accuracy: 1,
      pad: 'x'.repeat(MAX_SENSOR_MESSAGE_BYTES),
    });
    expect(code(big)).toBe('too-large');
  });
});
