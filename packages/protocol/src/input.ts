import { z } from 'zod';
import { Ping } from './latency.js';
import { MAX_TEXT_INPUT_LENGTH } from './version.js';

/**
 * Input events, client → server, over the input data channels (or the WebSocket as a
 * fallback). Coordinates are normalised to the app's screen: (0,0) top-left, (1,1)
 * bottom-right, so the client need not know the app's pixel size.
 */

/** Modifier bitmask, the same bits as CDP's `modifiers`: Alt=1, Ctrl=2, Meta=4, Shift=8. */
export const Modifier = { Alt: 1, Ctrl: 2, Meta: 4, Shift: 8 } as const;

const norm = z.number().min(0).max(1);
const base = {
  /** Per-viewer sequence number, increasing; lets latency accounting match inputs to frames. */
  seq: z.number().int().nonnegative(),
  /** Client clock (ms, `performance.timeOrigin + performance.now()`) when the event was sent. */
  ts: z.number().nonnegative(),
};
const modifiers = z.number().int().min(0).max(15).default(0);

export const PointerInput = z.object({
  type: z.literal('pointer'),
  ...base,
  action: z.enum(['down', 'move', 'up', 'cancel']),
  x: norm,
  y: norm,
  /** Button that changed (down/up): 0 left, 1 middle, 2 right, 3 back, 4 forward. */
  button: z.number().int().min(0).max(4).default(0),
  /** Buttons held, DOM `buttons` bitmask. */
  buttons: z.number().int().min(0).max(31).default(0),
  modifiers,
});

export const TouchPoint = z.object({
  /** Stable id of this finger while it is down. */
  id: z.number().int().min(0).max(1_000_000),
  x: norm,
  y: norm,
  /** Contact radius in app CSS px, if the device reports it. */
  radiusX: z.number().min(0).max(500).optional(),
  radiusY: z.number().min(0).max(500).optional(),
  force: z.number().min(0).max(1).optional(),
});

export const TouchInput = z.object({
  type: z.literal('touch'),
  ...base,
  action: z.enum(['start', 'move', 'end', 'cancel']),
  /** Every finger still on the screen after this event (CDP semantics; empty on the last end). */
  touches: z.array(TouchPoint).max(10),
  modifiers,
});

export const WheelInput = z.object({
  type: z.literal('wheel'),
  ...base,
  x: norm,
  y: norm,
  /** Scroll deltas in CSS px of the app. */
  dx: z.number().min(-10_000).max(10_000),
  dy: z.number().min(-10_000).max(10_000),
  modifiers,
});

export const KeyInput = z.object({
  type: z.literal('key'),
  ...base,
  action: z.enum(['down', 'up']),
  /** DOM `KeyboardEvent.code` (physical key), e.g. "KeyA", "Enter". */
  code: z.string().max(32),
  /** DOM `KeyboardEvent.key` (meaning), e.g. "a", "Enter", "é". */
  key: z.string().min(1).max(32),
  repeat: z.boolean().default(false),
  modifiers,
});

/** Committed text, e.g. from an IME or a paste: inserted as is, any Unicode. */
export const TextInput = z.object({
  type: z.literal('text'),
  ...base,
  text: z.string().min(1).max(MAX_TEXT_INPUT_LENGTH),
});

export const InputEvent = z.discriminatedUnion('type', [
  PointerInput,
  TouchInput,
  WheelInput,
  KeyInput,
  TextInput,
]);

/** The input event types, as the latency monitor names a sample's kind ("touch:start" → "touch"). */
export const INPUT_TYPES = ['pointer', 'touch', 'wheel', 'key', 'text'] as const;

export type PointerInput = z.infer<typeof PointerInput>;
export type TouchPoint = z.infer<typeof TouchPoint>;
export type TouchInput = z.infer<typeof TouchInput>;
export type WheelInput = z.infer<typeof WheelInput>;
export type KeyInput = z.infer<typeof KeyInput>;
export type TextInput = z.infer<typeof TextInput>;
export type InputEvent = z.infer<typeof InputEvent>;
/** What a sender builds: defaulted fields may be left out. */
export type InputEventInit = z.input<typeof InputEvent>;

/** What a client sends on its input data channels: input events, and clock-sync pings. */
export const UpstreamMessage = z.discriminatedUnion('type', [
  PointerInput,
  TouchInput,
  WheelInput,
  KeyInput,
  TextInput,
  Ping,
]);
export type UpstreamMessage = z.infer<typeof UpstreamMessage>;

/** Moves go over the unreliable channel: a lost move is superseded by the next one. */
export function isLossTolerant(e: InputEventInit): boolean {
  return (e.type === 'pointer' && e.action === 'move') || (e.type === 'touch' && e.action === 'move');
}
