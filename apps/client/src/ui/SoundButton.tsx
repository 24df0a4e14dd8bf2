import { useOffload } from './OffloadContext';

/**
 * The app's sound, on or off: shown while the stream carries sound. The player starts muted
 * where the browser forbids sound without a gesture (it autoplays muted media only); one tap
 * here is that gesture.
 */
export function SoundButton() {
  const hasAudio = useOffload((s) => s.media.hasAudio);
  const muted = useOffload((s) => s.media.muted);
  const setMuted = useOffload((s) => s.setMuted);
  if (!hasAudio) return null;
  return (
    <button
      type="button"
      className={muted ? 'sound-toggle primary' : 'sound-toggle'}
      data-testid="sound-toggle"
      aria-pressed={!muted}
      onClick={() => setMuted(!muted)}
    >
      {muted ? 'Sound off — unmute' : 'Mute sound'}
    </button>
  );
}
