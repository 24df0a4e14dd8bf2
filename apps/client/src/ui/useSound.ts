import { type RefObject, useEffect } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { StreamClient } from '../core/StreamClient';
import type { OffloadStore } from '../store/store';

/**
 * Plays the app's sound in its own `<audio>` element, and only while the player is unmuted:
 * a muted player does not decode, mix or play the sound at all (the silent `<video>` keeps the
 * picture; a separate element also keeps Chrome from holding the picture back for lip sync).
 * Measured, the viewer browser spent 0.05 cores playing a muted, silent track. Where the
 * browser refuses sound (no gesture yet), the player goes back to muted and shows its switch.
 */
export function useSound(
  audioRef: RefObject<HTMLAudioElement | null>,
  client: StreamClient,
  store: StoreApi<OffloadStore>,
  streamReady: boolean,
  muted: boolean,
): void {
  useEffect(() => {
    const audio = audioRef.current;
    if (!audio) return;
    const tracks = streamReady && !muted ? client.tracks.filter((t) => t.kind === 'audio') : [];
    if (tracks.length === 0) {
      audio.pause();
      audio.srcObject = null;
      return;
    }
    audio.srcObject = new MediaStream(tracks);
    audio.play().catch((err: unknown) => {
      if (err instanceof DOMException && err.name === 'NotAllowedError') store.getState().setMuted(true);
    });
  }, [audioRef, client, store, streamReady, muted]);
}
