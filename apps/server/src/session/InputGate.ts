import {
  type InputEvent,
  OffloadError,
  type Ping,
  parseSensorMessage,
  parseUpstreamMessage,
  SENSOR_RATE,
  type SensorKind,
  type SensorReading,
} from '@offload/protocol';
import { serverNow } from '../util/clock.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import { TokenBucket } from '../util/TokenBucket.js';

export type InputGateEvents = {
  /** An event was dropped; at most one per `rejectReportIntervalMs` per code, so floods stay cheap. */
  rejected: [error: OffloadError];
};

export interface InputGateOptions {
  /** Sustained events per second; bursts up to twice that pass. */
  rate: number;
  /** Where accepted events go (the app runtime's injector), with when they arrived (serverNow()). */
  sink: (e: InputEvent, receivedAt: number) => void;
  /** Clock-sync pings from the data channel, with when they arrived. */
  onPing?: (ping: Ping, receivedAt: number) => void;
  /** Minimum time between two reports of the same error code (ms). Default 1000. */
  rejectReportIntervalMs?: number;
  /** Whether this viewer's input may reach the app now (it holds control). Default: always. */
  mayInject?: () => boolean;
  /** Where accepted sensor readings go (the app runtime's overrides); without it, readings are refused. */
  sensorSink?: (reading: SensorReading) => void;
}

/**
 * Every input event from one viewer passes here: validated against the protocol, rate
 * limited, then handed to the runtime. Bad or excess input is dropped and reported, never thrown.
 */
export class InputGate {
  readonly events = new SafeEmitter<InputGateEvents>('input-gate');
  /** Events passed on, by the way they came; and events dropped. */
  readonly counts = { dataChannel: 0, webSocket: 0, dropped: 0, sensors: 0 };
  readonly #bucket: TokenBucket;
  /** Each sensor kind has its own allowance (SENSOR_RATE), apart from input's. */
  readonly #sensorBuckets = new Map(
    Object.entries(SENSOR_RATE).map(([kind, rate]) => [kind as SensorKind, new TokenBucket(rate, rate * 2)]),
  );
  readonly #lastReport = new Map<string, number>();
  #closed = false;

  constructor(readonly options: InputGateOptions) {
    this.#bucket = new TokenBucket(options.rate, options.rate * 2);
  }

  /** A raw data-channel message: an input event or a clock-sync ping. */
  handleMessage(text: string, receivedAt = serverNow()): void {
    const r = parseUpstreamMessage(text);
    if (!r.ok) this.#reject(r.error.code, r.error.message);
    else if (r.value.type === 'ping') this.options.onPing?.(r.value, receivedAt);
    else this.#pass(r.value, 'dataChannel', receivedAt);
  }

  /** A raw message from the sensors channel: a reading, applied if this viewer holds control. */
  handleSensorMessage(text: string): void {
    if (this.#closed) return;
    const r = parseSensorMessage(text);
    if (!r.ok) {
      this.#reject(r.error.code, r.error.message);
      return;
    }
    const refused = this.#sensorRefusal(r.value.kind);
    if (refused) this.#reject(...refused);
    else {
      this.counts.sensors++;
      this.options.sensorSink?.(r.value);
    }
  }

  /** Why a reading of this kind may not pass now, or null. */
  #sensorRefusal(kind: SensorKind): readonly [OffloadError['code'], string] | null {
    if (!this.options.sensorSink) return ['not-allowed', 'This app takes no sensor readings.'];
    if (this.options.mayInject && !this.options.mayInject())
      return ['not-controller', "Only the controller's sensors reach the app; reading dropped."];
    if (!this.#sensorBuckets.get(kind)!.take())
      return ['rate-limited', `Too many ${kind} readings: over ${SENSOR_RATE[kind]}/s; dropped.`];
    return null;
  }

  /** An event already validated (the WebSocket fallback parses the whole message). */
  handleEvent(e: InputEvent, receivedAt = serverNow()): void {
    this.#pass(e, 'webSocket', receivedAt);
  }

  #pass(e: InputEvent, via: 'dataChannel' | 'webSocket', receivedAt: number): void {
    if (this.#closed) return;
    if (this.options.mayInject && !this.options.mayInject()) {
      this.#reject('not-controller', 'You are watching: another participant has control; input dropped.');
      return;
    }
    if (!this.#bucket.take()) {
      this.#reject(
        'rate-limited',
        `Too much input: more than ${this.options.rate} events/s; events dropped.`,
      );
      return;
    }
    this.counts[via]++;
    this.options.sink(e, receivedAt);
  }

  close(): void {
    this.#closed = true;
  }

  /**
   * Counts a dropped event; reports it at most once per interval per code. The error is built
   * only when reported: constructing one (its stack) per dropped event was what a flood cost most.
   */
  #reject(code: OffloadError['code'], message: string): void {
    this.counts.dropped++;
    const now = performance.now();
    const last = this.#lastReport.get(code);
    if (last !== undefined && now - last < (this.options.rejectReportIntervalMs ?? 1000)) return;
    this.#lastReport.set(code, now);
    this.events.safeEmit('rejected', new OffloadError(code, message));
  }
}
