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
export {
  EMBED_PROTOCOL_VERSION,
  type EmbedControl,
  type EmbedLatencySummary,
  type EmbedState,
  type EmbedStats,
} from '@offload/protocol/embed';
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
  type SessionDetails,
} from './player.js';
