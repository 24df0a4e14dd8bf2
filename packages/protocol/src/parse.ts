import type { z } from 'zod';
import { OffloadError } from './errors.js';
import { UpstreamMessage } from './input.js';
import { DownstreamMessage } from './latency.js';
import { MAX_SENSOR_MESSAGE_BYTES, SensorReading } from './sensors.js';
import { ClientMessage, ServerMessage } from './signaling.js';
import { MAX_INPUT_MESSAGE_BYTES, MAX_SIGNALING_MESSAGE_BYTES } from './version.js';

export type ParseResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: OffloadError; requestId?: string | number };

/** UTF-8 length of a string, without TextEncoder (not in the isomorphic lib). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else n += 3;
  }
  return n;
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid message';
  const path = issue.path.length ? issue.path.join('.') : '(message)';
  return `${path}: ${issue.message}`;
}

function parseWith<T>(schema: z.ZodType<T>, text: string, maxBytes: number, what: string): ParseResult<T> {
  // Cheap bound first: UTF-8 never takes more than 3 bytes per UTF-16 unit.
  const size = text.length * 3 <= maxBytes ? text.length : utf8Length(text);
  if (size > maxBytes) {
    // Not parsed, but a request id near the start still lets the reply name the request.
    const requestId = peekRequestId(text);
    return {
      ok: false,
      requestId,
      error: new OffloadError('too-large', `${what} is ${size} bytes; the limit is ${maxBytes}.`),
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: new OffloadError('bad-json', `${what} is not valid JSON.`) };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, error: new OffloadError('invalid-message', `${what} must be a JSON object.`) };
  }
  const rec = json as Record<string, unknown>;
  const requestId = typeof rec.id === 'string' || typeof rec.id === 'number' ? rec.id : undefined;
  if (typeof rec.type !== 'string') {
    return {
      ok: false,
      requestId,
      error: new OffloadError('invalid-message', `${what} has no "type" string.`),
    };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const unknownType = result.error.issues.some(
    (i) => i.code === 'invalid_union' && i.path.length === 1 && i.path[0] === 'type',
  );
  const error = unknownType
    ? new OffloadError('unknown-type', `Unknown message type "${rec.type}".`)
    : new OffloadError('invalid-message', `Invalid "${rec.type}" message: ${describe(result.error)}.`);
  return { ok: false, requestId, error };
}

/** Validates one signaling message from a client (WebSocket text frame). */
export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  return parseWith(ClientMessage, text, MAX_SIGNALING_MESSAGE_BYTES, 'Message');
}

/** Validates one message from the server (the client trusts nothing either). */
export function parseServerMessage(text: string): ParseResult<ServerMessage> {
  return parseWith(ServerMessage, text, Number.POSITIVE_INFINITY, 'Server message');
}

/** Validates one message from a client's input data channel: an input event or a ping. */
export function parseUpstreamMessage(text: string): ParseResult<UpstreamMessage> {
  return parseWith(UpstreamMessage, text, MAX_INPUT_MESSAGE_BYTES, 'Input message');
}

/** Validates one message from a client's sensors channel. */
export function parseSensorMessage(text: string): ParseResult<SensorReading> {
  return parseWith(SensorReading, text, MAX_SENSOR_MESSAGE_BYTES, 'Sensor message');
}

/** Validates one message from the server's report channel. */
export function parseDownstreamMessage(text: string): ParseResult<DownstreamMessage> {
  return parseWith(DownstreamMessage, text, Number.POSITIVE_INFINITY, 'Control message');
}

// Robustness (sessions at scale): a reply for requests refused before parsing.
/**
 * The request id of a message that will not be parsed (too large, rate limited), if it sits
 * near the start as senders put it; cheap whatever the message's size.
 */
export function peekRequestId(text: string): string | number | undefined {
  const m = /"id"\s*:\s*(?:"([^"\\]{1,64})"|(\d{1,15}))/.exec(text.slice(0, 256));
  return m ? (m[1] ?? Number(m[2])) : undefined;
}
