/**
 * @offload/embed: put the Offload player in any page.
 *
 *   import { createPlayer } from 'https://offload.example.com/sdk/offload-embed.js';
 *   const player = createPlayer(document.getElementById('app'), {
 *     server: 'https://offload.example.com', session, token,
 *   });
 *   player.on('state', (state, error) => …);
 *   await player.takeControl();
 *
 * or, after defineOffloadPlayer(), `<offload-player server="…" session="…">`.
 */
import { EMBED_PROTOCOL_VERSION as VERSION } from '@offload/protocol/embed';

/** The embedding protocol version this SDK speaks (a player of another answers `incompatible-protocol`). */
export const EMBED_PROTOCOL_VERSION: number = VERSION;
export { createPlayer, PLAYER_IFRAME_ALLOW } from './create.js';
export { defineOffloadPlayer } from './element.js';
export { OffloadEmbedError } from './errors.js';
export {
  type HostWindow,
  OffloadPlayer,
  type PlayerEvents,
  type PlayerFrame,
  type PlayerOptions,
  playerUrl,
} from './player.js';
export type {
  EmbedControl,
  EmbedError,
  EmbedLatencySummary,
  EmbedState,
  EmbedStats,
  SessionDetails,
} from './types.js';
