/**
 * Wire protocol version. Bump on any change a peer of the previous version would
 * misread; a peer sending another version gets an `incompatible-protocol` error.
 */
export const PROTOCOL_VERSION = 3;

/** Largest signaling message (UTF-8 bytes of the JSON text) a peer may send. */
export const MAX_SIGNALING_MESSAGE_BYTES = 16 * 1024;

/** Largest input message (one event, JSON) accepted on the data channel or WebSocket. */
export const MAX_INPUT_MESSAGE_BYTES = 8 * 1024;
// (A text event at MAX_TEXT_INPUT_LENGTH stays under it even when JSON escapes every character as \uXXXX.)

/** Longest committed text (UTF-16 code units) one `text` input event may carry. */
export const MAX_TEXT_INPUT_LENGTH = 1024;

/** Labels of the two input data channels the client opens (SCTP via mediasoup). */
export const INPUT_CHANNEL_RELIABLE = 'input';
/** Unordered, no retransmissions: pointer/touch moves, where a late move is worthless. */
export const INPUT_CHANNEL_UNRELIABLE = 'input-fast';

/**
 * Label of the server → client report channel (pongs, input timings). Its wire label is
 * still 'control', as clients of earlier versions expect; in code it is the *report* channel
 * ("control" is who may drive the app, see the control/* requests).
 */
export const REPORT_CHANNEL = 'control';
