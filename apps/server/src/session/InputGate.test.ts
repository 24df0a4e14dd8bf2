import { type InputEvent, type OffloadError, SENSOR_RATE, type SensorReading } from '@offload/protocol';
import { describe, expect, it } from 'vitest';
import { InputGate } from './InputGate.js';

const tap = (seq: number) => JSON.stringify({ type: 'pointer', seq, ts: 1, action: 'down', x: 0.5, y: 0.5 });

describe('InputGate', () => {
  it('passes valid events to the sink with defaults filled in', () => {
    const got: InputEvent[] = [];
    const gate = new InputGate({ rate: 100, sink: (e) => got.push(e) });
    gate.handleMessage(tap(1));
    expect(got).toEqual([
      { type: 'pointer', seq: 1, ts: 1, action: 'down', x: 0.5, y: 0.5, button: 0, buttons: 0, modifiers: 0 },
    ]);
  });

  it('drops bad messages and reports each kind once per interval', () => {
    const errors: OffloadError[] = [];
    const gate = new InputGate({ rate: 100, sink: () => {} });
    gate.events.on('rejected', (e) => errors.push(e));
    for (let i = 0; i < 50; i++) gate.handleMessage('garbage');
    gate.handleMessage(JSON.stringify({ type: 'pointer', seq: 1 }));
    expect(errors.map((e) => e.code)).toEqual(['bad-json', 'invalid-message']);
    expect(gate.counts).toEqual({ dataChannel: 0, webSocket: 0, dropped: 51, sensors: 0 });
  });

  it('rate-limits a flood', () => {
    let n = 0;
    const errors: OffloadError[] = [];
    const gate = new InputGate({ rate: 100, sink: () => n++ });
    gate.events.on('rejected', (e) => errors.push(e));
    for (let i = 0; i < 10_000; i++) gate.handleMessage(tap(i));
    // Burst of 2× the rate, plus whatever refilled during the loop.
    expect(n).toBeGreaterThanOrEqual(200);
    expect(n).toBeLessThan(400);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('rate-limited');
  });

  it('passes nothing once closed', () => {
    let n = 0;
    const gate = new InputGate({ rate: 100, sink: () => n++ });
    gate.close();
    gate.handleMessage(tap(1));
    expect(n).toBe(0);
  });

  it("drops a viewer's input while it is not in control, reports it once, and passes it once it is", () => {
    let n = 0;
    let inControl = false;
    const errors: OffloadError[] = [];
    const gate = new InputGate({ rate: 100, sink: () => n++, mayInject: () => inControl });
    gate.events.on('rejected', (e) => errors.push(e));
    for (let i = 0; i < 100; i++) gate.handleMessage(tap(i));
    gate.handleMessage(JSON.stringify({ type: 'ping', id: 1, t0: 1 }));
    expect(n).toBe(0);
    expect(errors.map((e) => e.code)).toEqual(['not-controller']);
    inControl = true;
    gate.handleMessage(tap(101));
    expect(n).toBe(1);
  });

  describe('sensor readings', () => {
    const tilt = (beta: number) =>
      JSON.stringify({ type: 'sensor', kind: 'orientation', alpha: 0, beta, gamma: 0 });

    it('passes a controller’s valid readings, each kind within its own rate', () => {
      const got: SensorReading[] = [];
      const errors: string[] = [];
      const gate = new InputGate({ rate: 100, sink: () => {}, sensorSink: (r) => got.push(r) });
      gate.events.on('rejected', (e) => errors.push(e.code));
      gate.handleSensorMessage(tilt(10));
      expect(got).toEqual([{ type: 'sensor', kind: 'orientation', alpha: 0, beta: 10, gamma: 0 }]);
      // A flood of one kind: 2 s worth pass (the burst), the rest are dropped, reported once;
      // the other kinds keep their allowance.
      for (let i = 0; i < 1000; i++) gate.handleSensorMessage(tilt(i % 90));
      const passed = got.length;
      expect(passed).toBeGreaterThanOrEqual(SENSOR_RATE.orientation * 2);
      expect(passed).toBeLessThan(SENSOR_RATE.orientation * 2 + 10);
      gate.handleSensorMessage(
        JSON.stringify({ type: 'sensor', kind: 'location', latitude: 1, longitude: 2, accuracy: 3 }),
      );
      expect(got).toHaveLength(passed + 1);
      expect(errors).toEqual(['rate-limited']);
      expect(gate.counts.sensors).toBe(passed + 1);
    });

    it('drops a viewer’s readings, bad values, and readings an app does not take, with typed errors', () => {
      const got: SensorReading[] = [];
      const errors: string[] = [];
      let controller = false;
      const gate = new InputGate({
        rate: 100,
        sink: () => {},
        sensorSink: (r) => got.push(r),
        mayInject: () => controller,
      });
      gate.events.on('rejected', (e) => errors.push(e.code));
      gate.handleSensorMessage(tilt(10));
      controller = true;
      gate.handleSensorMessage(tilt(500));
      gate.handleSensorMessage('{"type":"sensor","kind":"location","latitude":null}');
      expect(got).toEqual([]);
      expect(errors).toEqual(['not-controller', 'invalid-message']);
      const noSensors = new InputGate({ rate: 100, sink: () => {} });
      noSensors.events.on('rejected', (e) => errors.push(e.code));
      noSensors.handleSensorMessage(tilt(10));
      expect(errors.at(-1)).toBe('not-allowed');
    });
  });
});
