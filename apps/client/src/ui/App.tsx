import { lazy, Suspense } from 'react';
import { Player } from './Player';
import { useRoute } from './route';

/** The start page loads only where it is shown: a player link does not need it. */
const StartPage = lazy(() => import('./StartPage').then((m) => ({ default: m.StartPage })));

export function App() {
  const { sessionId, embed, autoConnect } = useRoute();
  // Keyed by session so switching sessions remounts the player (leave, then join).
  return sessionId ? (
    <Player key={sessionId} sessionId={sessionId} embed={embed} autoConnect={autoConnect} />
  ) : (
    <Suspense fallback={null}>
      <StartPage embed={embed} />
    </Suspense>
  );
}
