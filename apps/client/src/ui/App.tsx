import { Player } from './Player';
import { useRoute } from './route';
import { StartPage } from './StartPage';

export function App() {
  const { sessionId, embed, autoConnect } = useRoute();
  // Keyed by session so switching sessions remounts the player (leave, then join).
  return sessionId ? (
    <Player key={sessionId} sessionId={sessionId} embed={embed} autoConnect={autoConnect} />
  ) : (
    <StartPage embed={embed} />
  );
}
