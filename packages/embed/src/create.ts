import { OffloadPlayer, type PlayerOptions, playerUrl } from './player.js';

/**
 * Features the player's iframe is allowed: autoplay (the stream starts without a tap),
 * fullscreen, and the device's senses an app may ask for later (camera, microphone,
 * gamepad, motion sensors); the server's own policy still decides.
 */
export const PLAYER_IFRAME_ALLOW =
  'autoplay; fullscreen; clipboard-read; clipboard-write; camera; microphone; gamepad; accelerometer; gyroscope';

/**
 * Puts an Offload player into `element` (an iframe filling it) and returns its handle:
 * listen with `player.on('state', …)`, drive it with `player.takeControl()`, `sendText()`…;
 * `player.destroy()` removes it. The player joins on its own unless `autoConnect: false`.
 */
export function createPlayer(element: HTMLElement, options: PlayerOptions): OffloadPlayer {
  const doc = element.ownerDocument;
  const win = doc.defaultView;
  if (!win) throw new TypeError('createPlayer needs an element in a document with a window');
  const iframe = doc.createElement('iframe');
  iframe.src = playerUrl(options, win.location.origin).href;
  iframe.title = options.title ?? 'Offload player';
  iframe.allow = PLAYER_IFRAME_ALLOW;
  iframe.setAttribute('allowfullscreen', '');
  iframe.referrerPolicy = 'origin';
  iframe.style.cssText = 'border:0;width:100%;height:100%;display:block;background:#000';
  element.append(iframe);
  return new OffloadPlayer(iframe, options, win, () => iframe.remove());
}
