import { videoFrameSize } from '@offload/latency';
import {
  type CSSProperties,
  type KeyboardEvent,
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useRef,
} from 'react';
import { InputCapture } from '../core/input/InputCapture';
import {
  installShortcut,
  isHudShortcut,
  isKeyboardReleaseShortcut,
  KEYBOARD_RELEASE_LABEL,
} from '../core/input/shortcuts';
import { createVideoFrameMarkerReader } from '../core/latency/markerReader';
import { ControlBar } from './ControlBar';
import { ErrorPanel } from './ErrorPanel';
import { useClient, useLatencyMonitor, useOffload, useStoreApi } from './OffloadContext';
import { SoundButton } from './SoundButton';
import { StatusBar } from './StatusBar';
import { useSound } from './useSound';

/** The HUD and its charts load when first shown: playing does not need them. */
const Hud = lazy(() => import('./Hud').then((m) => ({ default: m.Hud })));

/** Until the server says otherwise, a typical phone (the demo app's profile). */
const DEFAULT_ASPECT = 390 / 844;

export function Player({
  sessionId,
  embed,
  autoConnect = true,
}: {
  sessionId: string;
  embed: boolean;
  /** False: join only when the embedding host says `connect` (see EmbedBridge). */
  autoConnect?: boolean;
}) {
  const client = useClient();
  const store = useStoreApi();
  const state = useOffload((s) => s.connection.state);
  const error = useOffload((s) => s.connection.error);
  const screen = useOffload((s) => s.session.screen);
  const streamReady = useOffload((s) => s.media.streamReady);
  const autoplayBlocked = useOffload((s) => s.media.autoplayBlocked);
  const hudVisible = useOffload((s) => s.latency.hudVisible);
  const muted = useOffload((s) => s.media.muted);
  const monitor = useLatencyMonitor();
  const videoRef = useRef<HTMLVideoElement>(null);
  const audioRef = useRef<HTMLAudioElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const captureRef = useRef<InputCapture | null>(null);

  const join = useCallback(() => {
    // Failures land in the store (and the error panel); nothing to do with the rejection here.
    client.join(sessionId).catch(() => {});
  }, [client, sessionId]);

  useEffect(() => {
    if (autoConnect) join();
    return () => void client.leave();
  }, [client, join, autoConnect]);

  // The picture plays muted (autoplay); the sound, in an element of its own, while unmuted.
  useSound(audioRef, client, store, streamReady, muted);

  // Attach the remote tracks; a refused play() means the browser wants a gesture first.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    if (!streamReady) {
      video.srcObject = null;
      return;
    }
    video.srcObject = new MediaStream(client.tracks.filter((t) => t.kind === 'video'));
    video.play().then(
      () => store.getState().setAutoplayBlocked(false),
      (err: unknown) => {
        if (err instanceof DOMException && err.name === 'NotAllowedError')
          store.getState().setAutoplayBlocked(true);
      },
    );
  }, [client, store, streamReady]);

  useEffect(() => {
    const video = videoRef.current;
    if (!video || !streamReady) return;
    const capture = new InputCapture({
      video,
      send: (draft) => client.sendInput(draft),
      getScreen: () => store.getState().session.screen,
    });
    captureRef.current = capture;
    return () => {
      capture.detach();
      captureRef.current = null;
    };
  }, [client, store, streamReady]);

  // The frame-marker loop runs on the playing video while the stream is up.
  useEffect(() => {
    const video = videoRef.current;
    if (!video || !streamReady || !monitor || !('requestVideoFrameCallback' in video)) return;
    // Video px per app px: 1 unless the encoder scaled the picture down.
    const scale = () => {
      const screen = store.getState().session.screen;
      return screen && video.videoWidth > 0 ? video.videoWidth / screen.width : 1;
    };
    return monitor.attachVideo(video, createVideoFrameMarkerReader(video, scale));
  }, [monitor, store, streamReady]);

  // Alt+Shift+L toggles the HUD; captured on the window before InputCapture could send it to the app.
  useEffect(() => installShortcut(window, isHudShortcut, () => store.getState().toggleHud()), [store]);
  // Alt+Shift+K: the keyboard back to the page (focus on the frame; Tab moves on, Enter goes back in).
  useEffect(() => installShortcut(window, isKeyboardReleaseShortcut, () => frameRef.current?.focus()), []);

  const onFrameKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget || (e.key !== 'Enter' && e.key !== ' ')) return;
    e.preventDefault();
    captureRef.current?.focus();
  };

  const tapToPlay = () => {
    videoRef.current?.play().then(
      () => store.getState().setAutoplayBlocked(false),
      () => {},
    );
    captureRef.current?.focus();
  };

  const aspect = screen ? screen.width / screen.height : DEFAULT_ASPECT;
  // The video frame is the app screen with the marker strip below it; the screen box shows
  // the app's part only (the strip overflows it, hidden).
  const frameRatio = screen ? videoFrameSize(screen).height / screen.height : 1;
  const frameStyle = { '--aspect': aspect, '--frame-ratio': frameRatio } as CSSProperties;
  // Idle without autoconnect is a player waiting for its host's `connect`: nothing to show yet.
  const busy = (state === 'idle' && autoConnect) || state === 'connecting' || state === 'joining';

  return (
    <main className={`player-page${embed ? ' embed' : ''}`}>
      {/* The frame is where the keyboard leaves the app (Alt+Shift+K) and goes back in (Enter). */}
      <div
        ref={frameRef}
        className="frame"
        style={frameStyle}
        data-testid="player"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: role=application makes it interactive (the rule does not see that)
        tabIndex={0}
        role="application"
        aria-label={`Streamed app. Enter: use the keyboard in the app; ${KEYBOARD_RELEASE_LABEL} gives it back.`}
        onKeyDown={onFrameKey}
      >
        <div className="screen" data-testid="stream">
          <video ref={videoRef} data-testid="video" playsInline muted autoPlay disablePictureInPicture />
          {/* biome-ignore lint/a11y/useMediaCaption: the app's own sound; the app has no captions to give */}
          <audio ref={audioRef} data-testid="sound" />
        </div>
        {hudVisible && (
          <Suspense fallback={null}>
            <Hud />
          </Suspense>
        )}
        {state === 'reconnecting' && (
          <div className="overlay translucent" data-testid="reconnecting">
            <div className="spinner" aria-hidden="true" />
            <p>Reconnecting…</p>
          </div>
        )}
        {busy && !error && (
          <div className="overlay">
            <div className="spinner" aria-hidden="true" />
            <p>{state === 'joining' ? 'Starting the stream…' : 'Connecting…'}</p>
          </div>
        )}
        {autoplayBlocked && streamReady && (
          <div className="overlay">
            <button type="button" className="primary big" data-testid="tap-to-play" onClick={tapToPlay}>
              Tap to play
            </button>
          </div>
        )}
        {error && (
          <div className="overlay">
            <ErrorPanel error={error} onRetry={join} />
          </div>
        )}
      </div>
      {!embed && streamReady && <SoundButton />}
      {!embed && streamReady && <ControlBar />}
      {!embed && (
        <StatusBar
          routeSessionId={sessionId}
          onKeyboard={streamReady ? () => captureRef.current?.focus() : undefined}
        />
      )}
    </main>
  );
}
